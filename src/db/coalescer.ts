/**
 * Turns many single calls into few batch calls: calls made while the previous batches are still
 * running wait and go together in the next one. Under load, the delivery jobs' many small
 * statements become one statement per batch; when idle, a call goes alone, at once.
 */
export class Coalescer<In, Out> {
  private pending: Array<{ input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }> = [];
  private running = 0;
  private scheduled = false;

  /**
   * @param runBatch one result per input, in the same order, all or nothing (one statement): when
   *   it throws, each input of the batch is tried again alone and only the failing ones reject
   * @param maxBatch most inputs per batch
   * @param maxRunning batches in flight at once (each holds a database connection)
   */
  constructor(
    private readonly runBatch: (inputs: In[]) => Promise<Out[]>,
    private readonly maxBatch = 500,
    private readonly maxRunning = 1,
  ) {}

  run(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      this.pending.push({ input, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.maxRunning || this.pending.length === 0) return;
    this.scheduled = true;
    // Let the calls made in this turn of the event loop join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async runAlone(call: { input: In; resolve: (out: Out) => void; reject: (error: unknown) => void }) {
    try {
      call.resolve((await this.runBatch([call.input]))[0]!);
    } catch (error) {
      call.reject(error);
    }
  }

  private async flush(): Promise<void> {
    if (this.running >= this.maxRunning || this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxBatch);
    this.running += 1;
    try {
      const outputs = await this.runBatch(batch.map((call) => call.input));
      batch.forEach((call, i) => call.resolve(outputs[i]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      // One input the database refuses must not fail its neighbours: each goes again alone.
      else for (const call of batch) await this.runAlone(call);
    } finally {
      this.running -= 1;
      this.schedule();
    }
  }
}
