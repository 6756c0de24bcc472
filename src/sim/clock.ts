/**
 * Discrete-event virtual clock: a priority queue of callbacks ordered by virtual time (ties
 * broken by insertion order, so a run is deterministic). Nothing here reads the real clock.
 */

/** Waits between two real turns of the event loop (see advanceUntil). */
const YIELD_EVERY = 4096;

/** Children of a node in the event heap: a wider heap is shallower, and its keys sit together. */
const ARITY = 4;
/** Slots the heap starts with, and never shrinks below. */
const INITIAL_SLOTS = 1024;

/** An event waiting on the clock; `cancel` it to drop what its callback holds. */
export interface Scheduled {
  at: number;
  seq: number;
  run: () => void;
}

/** What an event runs: a function and the one argument it is called with. */
type Run = (arg: never) => void;

function nothing(): void {}

/** Runs a cancellable event (whose `run` may have been cancelled since). */
function runScheduled(event: Scheduled): void {
  event.run();
}

/** A promise already settled: a reaction to it is queued as a microtask at once. */
const SETTLED = Promise.resolve();

/**
 * The queue is a 4-ary heap kept in parallel arrays: each event's time and sequence number in
 * typed arrays (what every comparison reads, packed together, with no object to follow) and
 * what it runs beside them, a function and its argument (`post`: no object or closure made per
 * event, where the network schedules hundreds of millions a virtual day). Events are ordered by
 * (time, sequence), which no two share, so any correct heap runs them in one and the same order.
 */
export class VirtualClock {
  private times = new Float64Array(INITIAL_SLOTS);
  private seqs = new Float64Array(INITIAL_SLOTS);
  /** What each event runs and its argument, by heap position; past the end, undefined. */
  private runs: Array<Run | undefined> = [];
  private args: unknown[] = [];
  private length = 0;
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
    return this.length;
  }

  /**
   * Takes the next place in the order of events at one time, for an event put on the clock only
   * later (`at`'s `place`): it then runs where it would have had it been put on the clock now.
   */
  reserve(): number {
    return this.seq++;
  }

  /**
   * Runs `run` at virtual time `at` (never earlier than now), in the place `reserve` gave, if any;
   * the event returned can be cancelled.
   */
  at(at: number, run: () => void, place = this.seq++): Scheduled {
    const event: Scheduled = { at: Math.max(at, this.current), seq: place, run };
    this.put(event.at, place, runScheduled, event);
    return event;
  }

  /**
   * Calls `run(arg)` at virtual time `at` (never earlier than now); returns that time. It cannot
   * be cancelled: the form for the many events that never are (a message's arrival).
   */
  post<T>(at: number, run: (arg: T) => void, arg: T): number {
    const time = Math.max(at, this.current);
    this.put(time, this.seq++, run as Run, arg);
    return time;
  }

  private put(time: number, seq: number, run: Run, arg: unknown): void {
    if (this.length === this.times.length) this.grow();
    const { times, seqs, runs, args } = this;
    let i = this.length++;
    while (i > 0) {
      const parent = ((i - 1) / ARITY) | 0;
      const t = times[parent] as number;
      if (t < time || (t === time && (seqs[parent] as number) < seq)) break;
      times[i] = t;
      seqs[i] = seqs[parent] as number;
      runs[i] = runs[parent];
      args[i] = args[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    runs[i] = run;
    args[i] = arg;
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
    if (this.length === 0) return false;
    const { times, seqs, runs, args } = this;
    const topAt = times[0] as number;
    const topRun = runs[0] as Run;
    const topArg = args[0];
    const n = --this.length;
    if (n > 0) {
      // The last event sinks from the root to its place.
      const time = times[n] as number;
      const seq = seqs[n] as number;
      const lastRun = runs[n];
      const lastArg = args[n];
      let i = 0;
      for (;;) {
        const first = i * ARITY + 1;
        if (first >= n) break;
        let c = first;
        let ct = times[first] as number;
        let cs = seqs[first] as number;
        const end = Math.min(first + ARITY, n);
        for (let k = first + 1; k < end; k++) {
          const t = times[k] as number;
          if (t < ct || (t === ct && (seqs[k] as number) < cs)) {
            c = k;
            ct = t;
            cs = seqs[k] as number;
          }
        }
        if (time < ct || (time === ct && seq < cs)) break;
        times[i] = ct;
        seqs[i] = cs;
        runs[i] = runs[c];
        args[i] = args[c];
        i = c;
      }
      times[i] = time;
      seqs[i] = seq;
      runs[i] = lastRun;
      args[i] = lastArg;
    }
    // The vacated end holds no event: what it held can be collected.
    runs[n] = undefined;
    args[n] = undefined;
    if (n < this.times.length >> 2 && this.times.length > INITIAL_SLOTS) this.resize(this.times.length >> 1);
    this.current = topAt;
    (topRun as (arg: unknown) => void)(topArg);
    return true;
  }

  /** Time of the next event (Infinity when none is left). */
  private get next(): number {
    return this.length > 0 ? (this.times[0] as number) : Number.POSITIVE_INFINITY;
  }

  private grow(): void {
    this.resize(this.times.length * 2);
  }

  /**
   * The heap's arrays at `slots` (at least the events pending). A burst (a heal at N=1000 once
   * left two million events waiting) gives its room back once the heap is a quarter full, so a
   * long run holds what it holds now, not its peak: the lifetime scenario counts it.
   */
  private resize(slots: number): void {
    const times = new Float64Array(slots);
    times.set(this.times.subarray(0, this.length));
    this.times = times;
    const seqs = new Float64Array(slots);
    seqs.set(this.seqs.subarray(0, this.length));
    this.seqs = seqs;
    if (this.runs.length > slots) {
      this.runs.length = slots;
      this.args.length = slots;
    }
  }

  /**
   * Runs events until `done()` holds (checked after every event) or virtual time would pass
   * `until`. Returns true when `done()` held.
   */
  runUntil(done: () => boolean, until: number): boolean {
    if (done()) return true;
    while (this.next <= until) {
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
   * loop (a setImmediate) per event. The microtask is a reaction to a settled promise, not a
   * queueMicrotask, which Node wraps in an async resource each time. Every YIELD_EVERY waits a
   * real turn is taken anyway, so a long run never starves the event loop.
   */
  advanceUntil(done: () => boolean, until: number): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let waits = 0;
      const pump = () => {
        try {
          this.awaited = false;
          if (done()) return resolve(true);
          while (this.next <= until) {
            this.step();
            if (this.awaited) {
              if (++waits % YIELD_EVERY === 0) setImmediate(pump);
              else SETTLED.then(afterContinuations);
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
      SETTLED.then(afterContinuations);
    });
  }

  /** Like `runFor`, for protocol code that awaits. */
  async advanceFor(until: number): Promise<void> {
    await this.advanceUntil(() => false, until);
  }
}
