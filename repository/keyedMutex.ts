/**
 * In-process mutual exclusion per key (a document uniqueId). Keys are taken in sorted order, so two holders of
 * overlapping key sets cannot deadlock. Not re-entrant: a holder must not ask again for a key it holds.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits until every key is free, takes them all, and returns the function that frees them. */
  async acquire(keys: Iterable<string>): Promise<() => void> {
    const sorted = [...new Set(keys)].sort();
    const releases: (() => void)[] = [];
    for (const key of sorted) releases.push(await this.acquireOne(key));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const release of releases.reverse()) release();
    };
  }

  /** Number of keys currently held or awaited (for tests). */
  get size(): number {
    return this.tails.size;
  }

  private async acquireOne(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let free!: () => void;
    const mine = new Promise<void>((resolve) => {
      free = resolve;
    });
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    return () => {
      free();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
