/**
 * The numbered SQLite migrations of a GossipNode's storage, keyed on a one-row
 * `schema_version` table. (`PRAGMA user_version` would be the usual key, but workerd refuses
 * it with SQLITE_AUTH.) Each migration runs once, in order, in one transaction with the
 * version bump, so a store is always at exactly one version. A released migration is never
 * edited: a change of layout is a new migration at the end. Stores written before the
 * numbering (no `schema_version`: version 0) hold the layout of migration 1, of 2 or of 3;
 * each migration is a no-op on a store already past it, so they all run from 1.
 *
 * Layout at the latest version: `node` (one row: identity, config input, seeds, generation,
 * run state, whether its cluster's registry lists it), `own_keys` (one row per own key or tombstone), `member_chunks` (every other
 * node and the graves, split over MEMBER_CHUNKS rows by name; see member-chunks.ts),
 * `peer_keys` (one row per other node with keys). Keyed tables
 * are WITHOUT ROWID: a rowid table with a TEXT key keeps a separate index and bills two rows
 * per insert. `hosted_agents` (one row per agent this node hosts), `tree` (one row: the
 * broadcast tree's eager peers). And `schema_version` (one row).
 */
import { chunkOf } from "./member-chunks.js";

type Row = Record<string, SqlStorageValue>;
/** Runs one statement (or several, separated by `;`) and returns its rows. */
export type Exec = (query: string, ...params: SqlStorageValue[]) => Row[];

interface Migration {
  version: number;
  up: (exec: Exec) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    // The first layout: a row per other node (`peers`) and per forgotten one (`graves`).
    version: 1,
    up: (exec) =>
      exec(`
        CREATE TABLE IF NOT EXISTS node (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          cluster TEXT NOT NULL,
          node TEXT NOT NULL,
          seeds TEXT NOT NULL,
          config TEXT NOT NULL,
          options TEXT NOT NULL,
          generation INTEGER NOT NULL,
          started_at INTEGER NOT NULL,
          heartbeat INTEGER NOT NULL,
          self_status TEXT NOT NULL,
          running INTEGER NOT NULL,
          gc_version INTEGER NOT NULL
        );
        CREATE TABLE IF NOT EXISTS own_keys (
          key TEXT PRIMARY KEY, value TEXT, version INTEGER NOT NULL, tombstone_at INTEGER
        );
        CREATE TABLE IF NOT EXISTS peers (
          name TEXT PRIMARY KEY, status TEXT NOT NULL, since INTEGER NOT NULL, state TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS graves (
          name TEXT PRIMARY KEY, generation INTEGER NOT NULL, heartbeat INTEGER NOT NULL, at INTEGER NOT NULL
        );`),
  },
  {
    // own_keys WITHOUT ROWID: one billed row per write instead of two.
    version: 2,
    up: (exec) => {
      const sql = exec("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'own_keys'")[0]?.sql;
      if (typeof sql === "string" && /WITHOUT\s+ROWID/i.test(sql)) return;
      exec(`
        ALTER TABLE own_keys RENAME TO own_keys_old;
        CREATE TABLE own_keys (
          key TEXT PRIMARY KEY, value TEXT, version INTEGER NOT NULL, tombstone_at INTEGER
        ) WITHOUT ROWID;
        INSERT INTO own_keys SELECT key, value, version, tombstone_at FROM own_keys_old;
        DROP TABLE own_keys_old;`);
    },
  },
  {
    // Others in one `membership` row and a `peer_keys` row per node with keys: bootstrapping
    // N nodes costs a row per round that found someone, not a row per node found.
    version: 3,
    up: (exec) => {
      exec(`
        CREATE TABLE IF NOT EXISTS membership (
          id INTEGER PRIMARY KEY CHECK (id = 1), members TEXT NOT NULL, graves TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS peer_keys (
          name TEXT PRIMARY KEY, generation INTEGER NOT NULL, state TEXT NOT NULL
        ) WITHOUT ROWID;`);
      const tables = exec(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('peers', 'graves')",
      );
      if (tables.length < 2) return; // already in this layout
      const peers = exec("SELECT status, since, state FROM peers");
      const graves = exec("SELECT name, generation, heartbeat, at FROM graves");
      if (peers.length > 0 || graves.length > 0) {
        const members = peers.map((row) => {
          const state = JSON.parse(String(row.state)) as {
            name: string;
            generation: number;
            heartbeat: number;
          };
          exec(
            `INSERT INTO peer_keys (name, generation, state) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET generation = excluded.generation, state = excluded.state`,
            state.name,
            state.generation,
            String(row.state),
          );
          return [state.name, state.generation, state.heartbeat, String(row.status), Number(row.since)];
        });
        exec(
          `INSERT INTO membership (id, members, graves) VALUES (1, ?, ?)
           ON CONFLICT (id) DO UPDATE SET members = excluded.members, graves = excluded.graves`,
          JSON.stringify(members),
          JSON.stringify(graves.map((g) => [g.name, Number(g.generation), 0, Number(g.at)])),
        );
      }
      exec("DROP TABLE peers; DROP TABLE graves");
    },
  },
  {
    // Agents this node hosts: one row each, its state (claim and keys), its heartbeat interval,
    // when its last heartbeat arrived and when its status began, so a wake-up keeps judging it.
    version: 4,
    up: (exec) =>
      exec(`
        CREATE TABLE IF NOT EXISTS hosted_agents (
          name TEXT PRIMARY KEY, interval_ms INTEGER NOT NULL, last_heartbeat INTEGER NOT NULL,
          since INTEGER NOT NULL, state TEXT NOT NULL
        ) WITHOUT ROWID;`),
  },
  {
    // The one `membership` row split into `member_chunks` by a hash of each name: at 10,000
    // members with long names one row neared SQLite's 2 MB limit, and a change of one member
    // rewrote all of them. Entries move as they are (same tuples), so nothing saved is lost.
    version: 5,
    up: (exec) => {
      exec(`
        CREATE TABLE IF NOT EXISTS member_chunks (
          chunk INTEGER PRIMARY KEY, members TEXT NOT NULL, graves TEXT NOT NULL
        );`);
      const old = exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'membership'");
      if (old.length === 0) return; // already in this layout
      const chunks = new Map<number, { members: unknown[][]; graves: unknown[][] }>();
      const chunk = (name: unknown) => {
        const at = chunkOf(String(name));
        let entry = chunks.get(at);
        if (!entry) {
          entry = { members: [], graves: [] };
          chunks.set(at, entry);
        }
        return entry;
      };
      for (const row of exec("SELECT members, graves FROM membership")) {
        for (const member of JSON.parse(String(row.members)) as unknown[][])
          chunk(member[0]).members.push(member);
        for (const grave of JSON.parse(String(row.graves)) as unknown[][]) chunk(grave[0]).graves.push(grave);
      }
      for (const [at, { members, graves }] of chunks) {
        exec(
          "INSERT INTO member_chunks (chunk, members, graves) VALUES (?, ?, ?)",
          at,
          JSON.stringify(members),
          JSON.stringify(graves),
        );
      }
      exec("DROP TABLE membership");
    },
  },
  {
    // The broadcast tree's eager peers (plumtree.ts), one row: an object woken from hibernation
    // takes its tree back instead of growing a new one with every node's next write.
    version: 6,
    up: (exec) =>
      exec(`
        CREATE TABLE IF NOT EXISTS tree (
          id INTEGER PRIMARY KEY CHECK (id = 1), eager TEXT NOT NULL
        );`),
  },
  {
    // Whether the node is listed in its cluster's own registry. A node registered when one
    // registry served every cluster is not (0): it lists itself at its next round, so its
    // cluster is found again without waiting for the keeper to copy the old rows.
    version: 7,
    up: (exec) => {
      // A no-op on a store that has the column (as every migration is on a store past it).
      const node = String(
        exec("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'node'")[0]?.sql,
      );
      if (!/\blisted\b/.test(node)) exec("ALTER TABLE node ADD COLUMN listed INTEGER NOT NULL DEFAULT 0");
    },
  },
];

export const LATEST_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** The store's schema version: 0 before numbering, or on an empty store. */
export function schemaVersion(exec: Exec): number {
  const table = exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
  if (table.length === 0) return 0;
  return Number(exec("SELECT version FROM schema_version WHERE id = 1")[0]?.version ?? 0);
}

function setSchemaVersion(exec: Exec, version: number): void {
  exec(`CREATE TABLE IF NOT EXISTS schema_version (
    id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL
  )`);
  exec(
    `INSERT INTO schema_version (id, version) VALUES (1, ?)
     ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
    version,
  );
}

/** Runs the migrations above the store's version, each in a transaction with its bump. */
export function migrate(storage: DurableObjectStorage, exec: Exec): void {
  const from = schemaVersion(exec);
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    storage.transactionSync(() => {
      migration.up(exec);
      setSchemaVersion(exec, migration.version);
    });
  }
}
