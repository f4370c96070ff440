import { ConflictError } from '../errors.js';

/** 409: other writers kept changing the same names; the write was not applied and may be retried. */
export class WriteContentionError extends ConflictError {
  override readonly code = 'CATALOG_WRITE_CONTENDED';
}
