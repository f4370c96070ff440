import { DomainError, ServiceUnavailableError } from '../errors.js';

/**
 * Runs a Redis-backed operation, turning infrastructure failures (connection refused, timeouts,
 * offline queue disabled) into a 503 domain error that names no internals.
 */
export async function guardStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof DomainError) throw err;
    throw new ServiceUnavailableError('The catalogue store is temporarily unavailable. Retry shortly.', {
      cause: err,
      headers: { 'Retry-After': '5' },
    });
  }
}

/**
 * The store guard, applied once where a Redis-facing object is handed to the services (the
 * composition root): the same object, with every method that returns a promise run through
 * {@link guardStore}. Domain errors (including those thrown by callbacks the object runs) pass
 * through unchanged; synchronous results and properties are untouched.
 */
export function guardedStore<T extends object>(target: T): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = Reflect.apply(value, object, args);
        return result instanceof Promise ? guardStore(() => result) : result;
      };
    },
  });
}
