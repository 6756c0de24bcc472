/**
 * Discrete-event virtual clock: a priority queue of callbacks ordered by virtual time (ties
 * broken by insertion order, so a run is deterministic). Nothing here reads the real clock.
 */

/** Waits between two real turns of the event loop (see advanceUntil). */
const YIELD_EVERY = 4096;

/** An event waiting on the clock; `cancel` it to drop what its callback holds. */
export interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

function nothing(): void {}

export class VirtualClock {
  private heap: Scheduled[] = [];
  private seq = 0;
  private current: number;
  /** An event resolved a promise someone awaits: continuations must run before the next event. */
  private awaited = false;

  constructor(start = 0) {
    this.current = start;
  }

  /** Current virtual time, ms. */
  get now(): number {
    return this.current;
  }

  /** A core `Clock` reading this virtual time. */
  readonly clock = (): number => this.current;

  /** Events waiting to run. */
  get pending(): number {
    return this.heap.length;
  }

  /** Runs `run` at virtual time `at` (never earlier than now). */
  at(at: number, run: () => void): Scheduled {
    const event: Scheduled = { at: Math.max(at, this.current), seq: this.seq++, run };
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Scheduled;
      if (p.at < event.at || (p.at === event.at && p.seq < event.seq)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  /** Runs `run` after `delay` ms of virtual time. */
  after(delay: number, run: () => void): Scheduled {
    return this.at(this.current + delay, run);
  }

  /**
   * Cancels an event: it still comes up in its turn, doing nothing, so every other event keeps
   * its order; what its callback held is dropped now. A request's timeout, cancelled when the
   * answer comes, no longer keeps the request (its promise, its message) alive for the whole
   * timeout, long enough to be promoted to the old generation only to die there.
   */
  cancel(event: Scheduled): void {
    event.run = nothing;
  }

  /** Runs the next event; false when none is left. */
  step(): boolean {
    const heap = this.heap;
    const top = heap[0];
    if (!top) return false;
    const last = heap.pop() as Scheduled;
    if (heap.length > 0) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        const left = heap[l] as Scheduled;
        if (r < n) {
          const right = heap[r] as Scheduled;
          if (right.at < left.at || (right.at === left.at && right.seq < left.seq)) c = r;
        }
        const child = heap[c] as Scheduled;
        if (last.at < child.at || (last.at === child.at && last.seq < child.seq)) break;
        heap[i] = child;
        i = c;
      }
      heap[i] = last;
    }
    this.current = top.at;
    top.run();
    return true;
  }

  /**
   * Runs events until `done()` holds (checked after every event) or virtual time would pass
   * `until`. Returns true when `done()` held.
   */
  runUntil(done: () => boolean, until: number): boolean {
    if (done()) return true;
    while (this.heap.length > 0 && (this.heap[0] as Scheduled).at <= until) {
      this.step();
      if (done()) return true;
    }
    if (this.current < until) this.current = until;
    return false;
  }

  /** Runs every event up to virtual time `until`, then sets the clock to it. */
  runFor(until: number): void {
    this.runUntil(() => false, until);
  }

  /** Says that the running event resolved or rejected a promise (see advanceUntil). */
  resolvedSomething(): void {
    this.awaited = true;
  }

  /**
   * Like `runUntil`, for protocol code that awaits: after every event that resolved a promise,
   * every pending continuation runs (and whatever it awaits in turn) before the next event, so
   * an await on the virtual network resumes at the virtual time its answer arrived.
   *
   * The wait is a microtask that queues a tick: Node runs ticks only once the microtask queue is
   * empty, which is exactly "every continuation has run", for far less than a turn of the event
   * loop (a setImmediate) per event. Every YIELD_EVERY waits a real turn is taken anyway, so a
   * long run never starves the event loop.
   */
  advanceUntil(done: () => boolean, until: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let waits = 0;
      const pump = () => {
        try {
          this.awaited = false;
          if (done()) return resolve(true);
          while (this.heap.length > 0 && (this.heap[0] as Scheduled).at <= until) {
            this.step();
            if (this.awaited) {
              if (++waits % YIELD_EVERY === 0) setImmediate(pump);
              else queueMicrotask(afterContinuations);
              return;
            }
            if (done()) return resolve(true);
          }
          if (this.current < until) this.current = until;
          resolve(false);
        } catch (error) {
          reject(error);
        }
      };
      const afterContinuations = () => process.nextTick(pump);
      queueMicrotask(afterContinuations);
    });
  }

  /** Like `runFor`, for protocol code that awaits. */
  async advanceFor(until: number): Promise<void> {
    await this.advanceUntil(() => false, until);
  }
}
