/**
 * Name -> slot lookup by open addressing over an Int32Array, for tables that keep their rows in
 * columns by slot (the member table, the news queue): 8 to 16 bytes per name where a Map entry
 * costs about 40. The owner keeps the names by slot in an array the index reads (grown and
 * rewritten in place, never replaced) and says which slot each name is given or gives up.
 */
import { fnv1a } from "./fingerprint.js";

/** Cell values: 0 empty, -1 a deleted entry, else slot + 1. */
const EMPTY = 0;
const DELETED = -1;
/** Cells a new index starts with (a power of two). */
const INITIAL_CELLS = 16;

export class NameIndex {
  private cells = new Int32Array(INITIAL_CELLS);
  /** Cells not empty: entries plus deleted marks. */
  private used = 0;
  private count = 0;

  constructor(private readonly names: ReadonlyArray<string | undefined>) {}

  /** A copy reading `names`, a copy of this index's names (the same names at the same slots). */
  copyFor(names: ReadonlyArray<string | undefined>): NameIndex {
    const copy = new NameIndex(names);
    copy.cells = this.cells.slice();
    copy.used = this.used;
    copy.count = this.count;
    return copy;
  }

  /** The slot of `name`, or -1; `hash` is fnv1a(name) when the caller has it. */
  find(name: string, hash = fnv1a(name)): number {
    const cells = this.cells;
    const mask = cells.length - 1;
    for (let at = hash & mask; ; at = (at + 1) & mask) {
      const cell = cells[at] as number;
      if (cell === EMPTY) return -1;
      if (cell !== DELETED && this.names[cell - 1] === name) return cell - 1;
    }
  }

  /** Records `slot` for `name`, which must be absent and already stored at `slot`. */
  add(name: string, slot: number, hash = fnv1a(name)): void {
    if ((this.used + 1) * 2 > this.cells.length) {
      // Mostly deleted cells: rebuild at the same size; else double.
      this.rebuild((this.count + 1) * 4 > this.cells.length ? this.cells.length * 2 : this.cells.length);
    }
    const cells = this.cells;
    const mask = cells.length - 1;
    let at = hash & mask;
    while ((cells[at] as number) > 0) at = (at + 1) & mask;
    if (cells[at] === EMPTY) this.used++;
    cells[at] = slot + 1;
    this.count++;
  }

  /** Forgets `name`'s entry (call before the owner clears its slot). */
  remove(name: string): void {
    const cells = this.cells;
    const mask = cells.length - 1;
    for (let at = fnv1a(name) & mask; ; at = (at + 1) & mask) {
      const cell = cells[at] as number;
      if (cell === EMPTY) return;
      if (cell !== DELETED && this.names[cell - 1] === name) {
        cells[at] = DELETED;
        this.count--;
        return;
      }
    }
  }

  /** Makes room for `entries` names at once: at most half the cells in use (a table's growth). */
  reserve(entries: number): void {
    let size = INITIAL_CELLS;
    while (size < entries * 2) size *= 2;
    if (size > this.cells.length) this.rebuild(size);
  }

  /**
   * Rebuilds from the owner's names (after the owner moved its rows), at the smallest size that
   * keeps the index at most a quarter full.
   */
  reset(): void {
    let size = INITIAL_CELLS;
    while (size < this.count * 4) size *= 2;
    this.rebuild(size);
  }

  /** The index at `size` cells (a power of two) over the names held now, without deleted marks. */
  private rebuild(size: number): void {
    const cells = new Int32Array(size);
    const mask = size - 1;
    let count = 0;
    for (let slot = 0; slot < this.names.length; slot++) {
      const name = this.names[slot];
      if (name === undefined) continue;
      let at = fnv1a(name) & mask;
      while (cells[at] !== EMPTY) at = (at + 1) & mask;
      cells[at] = slot + 1;
      count++;
    }
    this.cells = cells;
    this.used = count;
    this.count = count;
  }
}
