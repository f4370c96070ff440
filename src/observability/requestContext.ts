import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request context carried through async calls so every log line can name its request. */
export interface RequestContext {
  requestId: string;
  subject?: string;
}

/** The store; `requestContext.getStore()` is undefined outside a request. */
export const requestContext = new AsyncLocalStorage<RequestContext>();
