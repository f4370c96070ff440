import { DomainError, ServiceUnavailableError } from '../errors.js';

/** The 503 a store failure becomes; domain errors pass through unchanged. */
function storeFailure(err: unknown): never {
  if (err instanceof DomainError) throw err;
  throw new ServiceUnavailableError('The catalogue store is temporarily unavailable. Retry shortly.', {
    cause: err,
    headers: { 'Retry-After': '5' },
  });
}

/**
 * Runs a Redis-backed operation, turning infrastructure failures (connection refused, timeouts,
 * offline queue disabled) into a 503 domain error that names no internals.
 */
export async function guardStore<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    return storeFailure(err);
  }
}

/**
 * The store guard, applied once where a Redis-facing object is handed to the services (the
 * composition root): the same object, with every method that returns a promise mapped through the
 * same rule as {@link guardStore}. Domain errors (including those thrown by callbacks the object
 * runs) pass through unchanged; synchronous results and properties are untouched. Wrapped methods
 * are cached, so a call costs one extra promise reaction.
 */
export function guardedStore<T extends object>(target: T): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      let guarded = wrapped.get(property);
      if (guarded === undefined) {
        guarded = (...args: unknown[]) => {
          const result: unknown = Reflect.apply(value, object, args);
          return result instanceof Promise ? result.then(undefined, storeFailure) : result;
        };
        wrapped.set(property, guarded);
      }
      return guarded;
    },
  });
}
