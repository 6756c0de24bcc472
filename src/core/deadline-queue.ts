/**
 * Names waiting for a deadline (a dead or left member's forgetting), earliest first, so a
 * round pops only what is due instead of walking every member. Deadlines mostly arrive in
 * time order and are appended; an earlier one (a restore) is inserted in place. An entry may
 * be stale by the time it is due: the caller checks the member still qualifies.
 */
export class DeadlineQueue {
  private names: string[] = [];
  private deadlines: number[] = [];
  private head = 0;

  get size(): number {
    return this.names.length - this.head;
  }

  push(name: string, deadline: number): void {
    let at = this.deadlines.length;
    if (at > this.head && (this.deadlines[at - 1] as number) > deadline) {
      let lo = this.head;
      let hi = at;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((this.deadlines[mid] as number) <= deadline) lo = mid + 1;
        else hi = mid;
      }
      at = lo;
    }
    this.names.splice(at, 0, name);
    this.deadlines.splice(at, 0, deadline);
  }

  /** Removes and returns every name whose deadline is at or before `now`. */
  due(now: number): string[] {
    const out: string[] = [];
    while (this.head < this.names.length && (this.deadlines[this.head] as number) <= now) {
      out.push(this.names[this.head++] as string);
    }
    if (this.head > 64 && this.head * 2 > this.names.length) {
      this.names = this.names.slice(this.head);
      this.deadlines = this.deadlines.slice(this.head);
      this.head = 0;
    }
    return out;
  }
}
