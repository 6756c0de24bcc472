/**
 * Proves the `cloudflare:test` Durable Object helpers work on a GossipNode
 * stub in this plugin version: running a pending alarm now, and evicting an
 * instance (memory dropped, storage kept).
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("cloudflare:test Durable Object helpers", () => {
  it("runDurableObjectAlarm runs a pending alarm at once", async () => {
    const stub = env.GOSSIP_NODE.getByName("helpers/alarm");
    expect(await runDurableObjectAlarm(stub)).toBe(false); // nothing armed yet
    await runInDurableObject(stub, (_node, state) => state.storage.setAlarm(Date.now() + 3_600_000));
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    // Alarms are not reset between tests: leave nothing armed behind.
    await runInDurableObject(stub, (_node, state) => state.storage.deleteAlarm());
  });

  it("evictDurableObject drops the instance and keeps storage", async () => {
    const stub = env.GOSSIP_NODE.getByName("helpers/evict");
    const before = await runInDurableObject(stub, (node, state) => {
      state.storage.kv.put("marker", "kept");
      return node;
    });
    await evictDurableObject(stub);
    const [after, marker] = await runInDurableObject(stub, (node, state) => [
      node,
      state.storage.kv.get("marker"),
    ]);
    expect(after).not.toBe(before);
    expect(marker).toBe("kept");
    expect(await stub.ping()).toBe("pong");
  });
});
