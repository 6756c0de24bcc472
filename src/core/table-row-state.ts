/**
 * A member seen through its MemberTable row: a short-lived handle that reads and writes the
 * row's columns, so every MemberState operation (deltas, merges, snapshots) works on a compact
 * row. ClusterState hands one out per lookup, valid while its member stays in the table, or
 * moves one handle of its own from row to row for reads that end at once (no object each).
 */
import type { MemberTable } from "./member-table.js";
import { type KeyStore, MemberState, newKeyStore } from "./node-state.js";
import type { StatusCode } from "./types.js";

export class TableRowState extends MemberState {
  constructor(
    private readonly table: MemberTable,
    private slot: number,
  ) {
    super();
  }

  /** Points this handle at another row, and returns it. */
  moveTo(slot: number): this {
    this.slot = slot;
    return this;
  }

  get name(): string {
    return this.table.name(this.slot);
  }
  get generation(): number {
    return this.table.generation(this.slot);
  }
  get incarnation(): number {
    return this.table.incarnation(this.slot);
  }
  set incarnation(value: number) {
    this.table.setIncarnation(this.slot, value);
  }
  get status(): StatusCode {
    return this.table.status(this.slot);
  }
  set status(value: StatusCode) {
    this.table.setStatus(this.slot, value);
  }
  get heartbeat(): number {
    return this.table.heartbeat(this.slot);
  }
  set heartbeat(value: number) {
    this.table.setHeartbeat(this.slot, value);
  }
  get maxVersion(): number {
    return this.table.maxVersion(this.slot);
  }
  set maxVersion(value: number) {
    this.table.setMaxVersion(this.slot, value);
  }
  get gcVersion(): number {
    return this.table.gcVersion(this.slot);
  }
  set gcVersion(value: number) {
    this.table.setGcVersion(this.slot, value);
  }

  protected store(create: boolean): KeyStore | undefined {
    let store = this.table.store(this.slot);
    if (!store && create) {
      store = newKeyStore();
      this.table.setStore(this.slot, store);
    }
    return store;
  }
}
