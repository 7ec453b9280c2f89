/**
 * Failures a local provider endpoint answers with instead of doing its job: for the next
 * `times` requests, or for every request until cleared. Lets tests and the demo show retries.
 */
export class FaultSwitch<Fault> {
  private fault: Fault | undefined;
  private remaining = 0;

  /** Answer the next `times` requests with `fault`; every request until {@link clear} if omitted. */
  set(fault: Fault, times = Number.POSITIVE_INFINITY): void {
    this.fault = fault;
    this.remaining = times;
  }

  /** Back to normal service. */
  clear(): void {
    this.fault = undefined;
    this.remaining = 0;
  }

  /** The fault for the request at hand, if any, counting it against `times`. */
  take(): Fault | undefined {
    if (this.fault === undefined || this.remaining <= 0) return undefined;
    this.remaining -= 1;
    const fault = this.fault;
    if (this.remaining <= 0) this.clear();
    return fault;
  }
}
