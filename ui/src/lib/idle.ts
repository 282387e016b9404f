// The idle lock: after `minutes` without keyboard or mouse input the desk signs out. Pure, on
// a clock passed in, so the rule is tested without waiting.

/** Tracks the last input and says when the lock is due. `minutes` 0 switches it off. */
export class IdleTimer {
  private last: number;

  constructor(
    private minutes: number,
    private now: () => number
  ) {
    this.last = now();
  }

  /** Any keyboard or mouse input. */
  touch() {
    this.last = this.now();
  }

  /** A changed setting applies from now, counting from the last input. */
  setMinutes(minutes: number) {
    this.minutes = minutes;
  }

  /** Whether the desk has been idle for the whole period. */
  expired(): boolean {
    return this.minutes > 0 && this.now() - this.last >= this.minutes * 60_000;
  }
}
