/**
 * SQLite persistence of one GossipNode. Every statement goes through `run`, which counts the
 * rows it wrote (each one is billed), and `armAlarm` counts the row a setAlarm costs.
 *
 * The tables (created and upgraded by migrations.ts): `node` (one row: identity, config
 * input, seeds, generation, run state), `own_keys`
 * (this node's key-values and tombstones, one row per key, written before a write is
 * acknowledged), `member_chunks` (every other node's name, generation, heartbeat and status,
 * and the graves of forgotten nodes, so stale gossip cannot resurrect them: split over
 * MEMBER_CHUNKS rows by name, see member-chunks.ts), `peer_keys` (one row per other node
 * that has keys: its keys and versions), `tree` (one row: the broadcast tree's eager peers)
 * and `hosted_agents` (one row per agent this node hosts).
 *
 * Keyed tables are WITHOUT ROWID: a rowid table with a TEXT primary key keeps a separate
 * index, and inserting into it writes (and bills) two rows instead of one.
 */
import {
  type GossipConfigInput,
  type Grave,
  type GraveTuple,
  graveOf,
  graveTuple,
  type HostedSnapshot,
  type MemberStatus,
  type NodeStateSnapshot,
} from "../core/index.js";
import { allChunks, byChunk } from "./member-chunks.js";
import { migrate, schemaVersion } from "./migrations.js";
import type { NodeOptions } from "./rpc-types.js";

/** The single `node` row. */
export interface NodeRecord {
  cluster: string;
  node: string;
  seeds: string[];
  configInput: GossipConfigInput;
  optionsInput: Partial<NodeOptions>;
  generation: number;
  /** Wall-clock ms when this generation began; the heartbeat floor counts rounds from here. */
  startedAt: number;
  /** Last heartbeat saved (only when it ran ahead of the clock-derived floor). */
  heartbeat: number;
  selfStatus: MemberStatus;
  running: boolean;
  /** Own tombstones with versions at or below this were garbage-collected. */
  gcVersion: number;
  /**
   * Whether its cluster's own registry lists it: false only for a node registered when one
   * registry served every cluster, until its next round lists it (registration.ts).
   */
  listed: boolean;
}

export type OwnKeyRow = [key: string, value: string | null, version: number, tombstoneAt?: number];

/** What one node knows of another node's membership (its keys are saved apart). */
export interface MemberRow {
  name: string;
  generation: number;
  incarnation: number;
  heartbeat: number;
  status: MemberStatus;
  since: number;
}

/** A forgotten member as saved: the core's grave, with its name. */
export type GraveRecord = { name: string } & Grave;

type Row = Record<string, SqlStorageValue>;
/** Rows saved before incarnations existed lack the last element (read as 0). */
type MemberTuple = [
  name: string,
  generation: number,
  heartbeat: number,
  status: MemberStatus,
  since: number,
  incarnation?: number,
];
/**
 * What a written row was for, so the bill can be traced to a call site: the alarm; the own
 * heartbeat saved when it ran ahead of the clock floor; own key writes; lifecycle (configure,
 * start, stop, leave, own status, own tombstones collected); the membership chunks (others'
 * names, generations and statuses, graves); others' keys.
 */
export const ROW_REASONS = [
  "alarm",
  "heartbeat",
  "ownKeys",
  "lifecycle",
  "membership",
  "peerKeys",
  "agents",
] as const;
export type RowReason = (typeof ROW_REASONS)[number];

/** Test hooks: writes made to fail, as a full disk or an oversized row would. */
export interface StoreFaults {
  /** The next this-many own key writes throw before writing anything. */
  failOwnKeyWrites: number;
  /** Saves of these nodes' keys rows throw. */
  failPeerKeyRows: string[];
  /** The next this-many saves of membership chunks throw before writing anything. */
  failMemberChunkSaves?: number;
}

export class NodeStore {
  /** Rows written since this object was constructed (setAlarm included). */
  rowsWritten = 0;
  /** The same rows by what they were written for. */
  readonly rowsByReason: Record<RowReason, number> = {
    alarm: 0,
    heartbeat: 0,
    ownKeys: 0,
    lifecycle: 0,
    membership: 0,
    peerKeys: 0,
    agents: 0,
  };
  private reason: RowReason = "lifecycle";

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly faults: StoreFaults = { failOwnKeyWrites: 0, failPeerKeyRows: [] },
  ) {}

  /** Runs synchronous writes and counts the rows they write under `reason`. */
  writing<T>(reason: RowReason, write: () => T): T {
    const outer = this.reason;
    this.reason = reason;
    try {
      return write();
    } finally {
      this.reason = outer;
    }
  }

  /**
   * True when this object has stored anything (it was configured once). An unconfigured
   * object creates no tables: a read of an unknown node leaves its storage empty.
   */
  exists(): boolean {
    if (schemaVersion((query, ...params) => this.run(query, ...params)) > 0) return true;
    return this.run("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'node'").length > 0;
  }

  /** Brings the tables to the latest layout (see migrations.ts); run before any other use. */
  migrate(): void {
    migrate(this.storage, (query, ...params) => this.run(query, ...params));
  }

  // ---------------------------------------------------------------- node row

  loadNode(): NodeRecord | null {
    const row = this.run("SELECT * FROM node WHERE id = 1")[0];
    if (!row) return null;
    return {
      cluster: String(row.cluster),
      node: String(row.node),
      seeds: JSON.parse(String(row.seeds)),
      configInput: JSON.parse(String(row.config)),
      optionsInput: JSON.parse(String(row.options)),
      generation: Number(row.generation),
      startedAt: Number(row.started_at),
      heartbeat: Number(row.heartbeat),
      selfStatus: String(row.self_status) as MemberStatus,
      running: Number(row.running) === 1,
      gcVersion: Number(row.gc_version),
      listed: Number(row.listed) === 1,
    };
  }

  saveNode(record: NodeRecord): void {
    this.run(
      `INSERT INTO node (id, cluster, node, seeds, config, options, generation, started_at, heartbeat,
         self_status, running, gc_version, listed)
       VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET cluster = excluded.cluster, node = excluded.node,
         seeds = excluded.seeds, config = excluded.config, options = excluded.options,
         generation = excluded.generation, started_at = excluded.started_at,
         heartbeat = excluded.heartbeat, self_status = excluded.self_status,
         running = excluded.running, gc_version = excluded.gc_version, listed = excluded.listed`,
      record.cluster,
      record.node,
      JSON.stringify(record.seeds),
      JSON.stringify(record.configInput),
      JSON.stringify(record.optionsInput),
      record.generation,
      record.startedAt,
      record.heartbeat,
      record.selfStatus,
      record.running ? 1 : 0,
      record.gcVersion,
      record.listed ? 1 : 0,
    );
  }

  // ---------------------------------------------------------------- own keys

  loadOwnKeys(): OwnKeyRow[] {
    return this.run("SELECT key, value, version, tombstone_at FROM own_keys ORDER BY version").map((row) => {
      const entry: OwnKeyRow = [
        String(row.key),
        row.value === null ? null : String(row.value),
        Number(row.version),
      ];
      if (row.tombstone_at !== null) entry.push(Number(row.tombstone_at));
      return entry;
    });
  }

  putOwnKey(key: string, value: string | null, version: number, tombstoneAt: number | null): void {
    if (this.faults.failOwnKeyWrites > 0) {
      this.faults.failOwnKeyWrites--;
      throw new Error("injected own key write failure");
    }
    this.run(
      `INSERT INTO own_keys (key, value, version, tombstone_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = excluded.version,
         tombstone_at = excluded.tombstone_at`,
      key,
      value,
      version,
      tombstoneAt,
    );
  }

  /** Replaces every own key (a new generation re-announces the live ones). */
  replaceOwnKeys(entries: ReadonlyArray<[key: string, value: string, version: number]>): void {
    this.run("DELETE FROM own_keys");
    for (const [key, value, version] of entries) this.putOwnKey(key, value, version, null);
  }

  /** Drops own tombstones that garbage collection removed from memory. */
  dropOwnTombstones(upToVersion: number): void {
    this.run("DELETE FROM own_keys WHERE value IS NULL AND version <= ?", upToVersion);
  }

  // ---------------------------------------------------------------- others

  /** Every other node this node knows and the graves of forgotten ones (from every chunk). */
  loadMembership(): { members: MemberRow[]; graves: GraveRecord[] } {
    const members: MemberRow[] = [];
    const graves: GraveRecord[] = [];
    for (const row of this.run("SELECT members, graves FROM member_chunks ORDER BY chunk")) {
      for (const [name, generation, heartbeat, status, since, incarnation = 0] of JSON.parse(
        String(row.members),
      ) as MemberTuple[]) {
        members.push({ name, generation, heartbeat, status, since, incarnation });
      }
      // Graves are saved as the core's snapshot holds them (GraveTuple). Graves saved before
      // incarnations held a heartbeat where the incarnation stands now; older ones lack `peer`.
      for (const tuple of JSON.parse(String(row.graves)) as GraveTuple[]) {
        graves.push({ name: tuple[0], ...graveOf(tuple) });
      }
    }
    return { members, graves };
  }

  /** Saves every chunk: who is a member, with statuses, and the graves. */
  saveMembership(members: readonly MemberRow[], graves: readonly GraveRecord[]): void {
    this.saveMemberChunks(new Set(allChunks()), members, graves);
  }

  /**
   * Rewrites only these chunks, from the whole membership and graves given: one row each, or
   * none for a chunk left empty (its row is deleted).
   */
  saveMemberChunks(
    chunks: ReadonlySet<number>,
    members: readonly MemberRow[],
    graves: readonly GraveRecord[],
  ): void {
    if ((this.faults.failMemberChunkSaves ?? 0) > 0) {
      this.faults.failMemberChunkSaves = (this.faults.failMemberChunkSaves ?? 0) - 1;
      throw new Error("injected membership chunk save failure");
    }
    const membersOf = byChunk(members, chunks);
    const gravesOf = byChunk(graves, chunks);
    for (const chunk of chunks) {
      const chunkMembers = membersOf.get(chunk) ?? [];
      const chunkGraves = gravesOf.get(chunk) ?? [];
      if (chunkMembers.length === 0 && chunkGraves.length === 0) {
        this.run("DELETE FROM member_chunks WHERE chunk = ?", chunk);
        continue;
      }
      const memberTuples: MemberTuple[] = chunkMembers.map((m) => [
        m.name,
        m.generation,
        m.heartbeat,
        m.status,
        m.since,
        m.incarnation,
      ]);
      const graveTuples = chunkGraves.map((grave) => graveTuple(grave.name, grave));
      this.run(
        `INSERT INTO member_chunks (chunk, members, graves) VALUES (?, ?, ?)
         ON CONFLICT (chunk) DO UPDATE SET members = excluded.members, graves = excluded.graves`,
        chunk,
        JSON.stringify(memberTuples),
        JSON.stringify(graveTuples),
      );
    }
  }

  /** The saved keys of other nodes, by name. */
  loadPeerKeys(): Map<string, NodeStateSnapshot> {
    const out = new Map<string, NodeStateSnapshot>();
    for (const row of this.run("SELECT state FROM peer_keys")) {
      const state = JSON.parse(String(row.state)) as NodeStateSnapshot;
      out.set(state.name, state);
    }
    return out;
  }

  putPeerKeys(state: NodeStateSnapshot): void {
    if (this.faults.failPeerKeyRows.includes(state.name)) throw new Error("injected peer keys failure");
    this.run(
      `INSERT INTO peer_keys (name, generation, state) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET generation = excluded.generation, state = excluded.state`,
      state.name,
      state.generation,
      JSON.stringify(state),
    );
  }

  /** Drops the saved keys of a node (no row is written when there were none). */
  deletePeerKeys(name: string): void {
    this.run("DELETE FROM peer_keys WHERE name = ?", name);
  }

  /** Forgets everything known of other nodes (a new generation starts from its seeds). */
  clearOthers(): void {
    this.run("DELETE FROM member_chunks");
    this.run("DELETE FROM peer_keys");
  }

  // ---------------------------------------------------------------- hosted agents

  /** The agents this node hosts, as saved. */
  loadHosted(): HostedSnapshot[] {
    return this.run("SELECT interval_ms, last_heartbeat, since, state FROM hosted_agents").map((row) => ({
      state: JSON.parse(String(row.state)) as NodeStateSnapshot,
      intervalMs: Number(row.interval_ms),
      lastHeartbeat: Number(row.last_heartbeat),
      since: Number(row.since),
    }));
  }

  saveHosted(agent: HostedSnapshot): void {
    this.writing("agents", () =>
      this.run(
        `INSERT INTO hosted_agents (name, interval_ms, last_heartbeat, since, state) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET interval_ms = excluded.interval_ms,
           last_heartbeat = excluded.last_heartbeat, since = excluded.since, state = excluded.state`,
        agent.state.name,
        agent.intervalMs,
        agent.lastHeartbeat,
        agent.since,
        JSON.stringify(agent.state),
      ),
    );
  }

  deleteHosted(name: string): void {
    this.writing("agents", () => this.run("DELETE FROM hosted_agents WHERE name = ?", name));
  }

  /** A new generation hosts nothing: its agents' next heartbeats register them again. */
  clearHosted(): void {
    this.run("DELETE FROM hosted_agents");
  }

  // ---------------------------------------------------------------- broadcast tree

  /** The broadcast tree's eager peers as last saved (none before the first save). */
  loadEager(): string[] {
    const row = this.run("SELECT eager FROM tree WHERE id = 1")[0];
    return row ? (JSON.parse(String(row.eager)) as string[]) : [];
  }

  /** Saves the eager peers (one row, counted with membership: it is who links to whom). */
  saveEager(peers: readonly string[]): void {
    this.writing("membership", () =>
      this.run(
        `INSERT INTO tree (id, eager) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET eager = excluded.eager`,
        JSON.stringify(peers),
      ),
    );
  }

  /** A new generation grows its tree anew: its peers knew the old one's links. */
  clearEager(): void {
    this.run("DELETE FROM tree");
  }

  // ---------------------------------------------------------------- alarm

  /** When the alarm is armed for, as this object last set or read it (null: none, or unknown). */
  armedAt: number | null = null;

  /** Arms the alarm (replacing any); billed as one row written. */
  async armAlarm(at: number): Promise<void> {
    this.count("alarm", 1);
    this.armedAt = at;
    await this.storage.setAlarm(at);
  }

  /** Deletes the alarm; counted as a row too (the alarm lives in the object's storage). */
  async disarmAlarm(): Promise<void> {
    this.count("alarm", 1);
    this.armedAt = null;
    await this.storage.deleteAlarm();
  }

  async alarmAt(): Promise<number | null> {
    this.armedAt = await this.storage.getAlarm();
    return this.armedAt;
  }

  private run(query: string, ...params: SqlStorageValue[]): Row[] {
    const cursor = this.storage.sql.exec<Row>(query, ...params);
    const rows = cursor.toArray();
    this.count(this.reason, cursor.rowsWritten);
    return rows;
  }

  private count(reason: RowReason, rows: number): void {
    this.rowsWritten += rows;
    this.rowsByReason[reason] += rows;
  }
}
