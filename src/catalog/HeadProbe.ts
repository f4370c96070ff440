/**
 * Reads the change stream's newest id for many concurrent readers with few queries: every caller
 * gets the answer of a query sent after it asked (so it reflects every write acknowledged before
 * the caller's request arrived: read-your-writes across replicas), but callers that ask while a
 * query is in flight share the next one instead of sending one each.
 *
 * Queries go out on the store's one connection, in order: a probe asked for after a fetch was sent
 * is answered after that fetch ran, which is what lets a reader prove the fetch saw the state its
 * read model describes.
 */
export class HeadProbe {
  private inflight: Promise<string> | undefined;
  private queued: Promise<string> | undefined;

  /** @param read one query of the newest id (`CatalogStore.headId`) */
  constructor(private readonly read: () => Promise<string>) {}

  /** The newest change id, read by a query sent after this call. @throws the store's error. */
  head(): Promise<string> {
    if (!this.inflight) return this.start();
    this.queued ??= this.inflight.then(settled, settled).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<string> {
    const query: Promise<string> = this.read().finally(() => {
      if (this.inflight === query) this.inflight = undefined;
    });
    this.inflight = query;
    return query;
  }
}

function settled(): void {}
