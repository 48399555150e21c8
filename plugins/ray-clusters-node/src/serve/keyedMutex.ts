/**
 * Runs async sections one at a time per key (e.g. per cluster), in the order they were asked for;
 * sections under different keys run concurrently. In-process only.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, section: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>(resolve => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await section();
    } finally {
      release();
      // The last one out forgets the key, so the map does not grow with every key ever used.
      if (this.tails.get(key) === tail) {
        this.tails.delete(key);
      }
    }
  }
}
