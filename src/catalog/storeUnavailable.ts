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
