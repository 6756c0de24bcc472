/**
 * Blocking members queries (Consul's): `GET .../members?index=<etag>&wait=30s` answers as soon
 * as the page differs from the one whose ETag the caller holds, or with that same page (a 304)
 * when the wait ends. The Worker waits on the answering node's watch (node-watch.ts), not by
 * polling: it reads the page again only when the node has recorded a change (and once right
 * after the watch opens, for a change that came in between), so a quiet wait costs the node
 * one connect and one read.
 */
import type { Env } from "../env.js";
import type { MembersPage, MembersQuery } from "../node/members-query.js";
import { type CachedPage, cachedMembers, membersEtag, queryMembers } from "./directory-query.js";
import { openWatch } from "./node-watch.js";

/** An ETag's opaque part: `W/"abc"`, `"abc"` and `abc` are the same index. */
function opaque(tag: string): string {
  return tag
    .trim()
    .replace(/^W\//, "")
    .replace(/^"(.*)"$/, "$1");
}

export interface WaitResult {
  /** True when the page differs from `index`; false when the wait ended first. */
  changed: boolean;
  /** The last page read (the changed one, or the unchanged one). */
  entry: CachedPage;
}

/** Waits up to `waitMs` for the members page to differ from the one whose ETag is `index`. */
export async function waitForChange(
  env: Env,
  cluster: string,
  query: MembersQuery & { from?: string },
  index: string,
  waitMs: number,
): Promise<WaitResult> {
  const held = opaque(index);
  const first = await cachedMembers(env, cluster, query);
  if (opaque(first.etag) !== held) return { changed: true, entry: first };
  // The same node answers every read of this wait, so its watch tells of every change.
  const pinned = { ...query, from: query.from ?? (JSON.parse(first.json) as MembersPage).from };
  const deadline = Date.now() + waitMs;
  const watch = await openWatch(env, cluster, pinned.from, null);
  let changes = 1;
  let closed = false;
  let wake = () => {};
  watch.onEvent(() => {
    changes++;
    wake();
  });
  watch.closed.then(() => {
    closed = true;
    wake();
  });
  let entry = first;
  try {
    for (;;) {
      if (changes > 0) {
        changes = 0;
        const page = await queryMembers(env, cluster, pinned);
        entry = { etag: await membersEtag(page), json: JSON.stringify(page) };
        if (opaque(entry.etag) !== held) return { changed: true, entry };
      }
      const left = deadline - Date.now();
      if (closed || left <= 0) return { changed: false, entry };
      let timer: ReturnType<typeof setTimeout> | null = null;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, left);
      });
      if (timer !== null) clearTimeout(timer);
    }
  } finally {
    watch.close();
  }
}
