/**
 * Which saved row a member (or the grave of a forgotten one) lives in. What a node knows of
 * the others is split over MEMBER_CHUNKS rows by a hash of the name, so no row grows with the
 * cluster to SQLite's 2 MB limit, and a change rewrites only the row of the member it touched.
 * A name always hashes to the same chunk, so a forgotten member's grave replaces it in place.
 *
 * Sizes: a member's entry is at most about 120 bytes of JSON (a 63-character name, a
 * generation, heartbeat, status, since and incarnation), a grave about 100. 10,000 members and
 * as many graves come to about 2.2 MB in all, about 140 KB a chunk (test/worker/
 * node-membership-rows.test.ts saves and reads them back). Fewer chunks would mean bigger rows;
 * more, more rows written when many members change at once (a bootstrap, a healed partition):
 * a save writes at most one row per chunk.
 *
 * Changing MEMBER_CHUNKS moves names between chunks: it needs a migration that re-chunks the
 * saved rows (see migrations.ts).
 */

/** Rows the membership is split over. */
export const MEMBER_CHUNKS = 16;

/** The chunk a name lives in: FNV-1a over its UTF-16 code units, modulo MEMBER_CHUNKS. */
export function chunkOf(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % MEMBER_CHUNKS;
}

/** Every chunk number, for a save of all of them. */
export function allChunks(): number[] {
  return Array.from({ length: MEMBER_CHUNKS }, (_, i) => i);
}

/** Items grouped by the chunk of their name, only for the chunks asked for. */
export function byChunk<T extends { name: string }>(
  items: readonly T[],
  chunks: ReadonlySet<number>,
): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const chunk of chunks) out.set(chunk, []);
  for (const item of items) out.get(chunkOf(item.name))?.push(item);
  return out;
}
