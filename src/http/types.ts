import type { Principal } from '../access/principal.js';

declare global {
  // Express's documented extension point for request properties.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Request id (from a valid `X-Request-Id` header, or generated). */
      id: string;
      /** The authenticated caller; set by the principal middleware. */
      principal: Principal;
    }
    interface Locals {
      /** Low-cardinality route label for metrics and logs. */
      route?: string;
    }
  }
}

export {};
