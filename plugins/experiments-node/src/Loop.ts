/**
 * A background loop: runs `tick`, then waits `intervalMs` (or until {@link Loop.wake}) before the
 * next one; after a tick that threw, it reports the error and waits twice as long as before, up to
 * `maxBackoffMs` (default 10 s). {@link Loop.stop} waits for the tick in progress.
 *
 * @public
 */
export class Loop {
  private running = false;
  private done?: Promise<void>;
  private wakeUp?: () => void;
  private woken = false;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly options: {
      intervalMs: number;
      maxBackoffMs?: number;
      onError: (error: unknown) => void;
    },
  ) {}

  start() {
    if (this.running) return;
    this.running = true;
    this.done = this.run();
  }

  wake() {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop() {
    this.running = false;
    this.wake();
    await this.done;
  }

  private async run() {
    let delay = this.options.intervalMs;
    while (this.running) {
      try {
        await this.tick();
        delay = this.options.intervalMs;
      } catch (error) {
        this.options.onError(error);
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 10_000);
      }
      await this.sleep(delay);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise(resolve => {
      let timer: ReturnType<typeof setTimeout> | undefined = undefined;
      const done = () => {
        clearTimeout(timer);
        this.woken = false;
        this.wakeUp = undefined;
        resolve();
      };
      timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}
