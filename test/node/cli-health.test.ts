/**
 * The CLI's pure parts: a check's result as Consul judges it (HTTP 2xx passing, 429 warning,
 * else critical; exit 0 passing, 1 warning, else critical), `health_output` clipped to 256
 * bytes of whole characters, the flag parser's one-line errors and env fallbacks, and the
 * members table.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentCommand } from "../../src/cli/agent.js";
import { integer, pairs, parseFlags, required, UsageError } from "../../src/cli/args.js";
import {
  clipOutput,
  commandHealth,
  HEALTH_OUTPUT_MAX_BYTES,
  healthState,
  httpHealth,
} from "../../src/cli/health.js";
import { membersTable } from "../../src/cli/members.js";

describe("health", () => {
  it("judges HTTP answers as Consul does", () => {
    expect([200, 204, 299].map(httpHealth)).toEqual(["passing", "passing", "passing"]);
    expect(httpHealth(429)).toBe("warning");
    expect([199, 301, 404, 500, 503].map(httpHealth)).toEqual(Array(5).fill("critical"));
    expect(httpHealth(null)).toBe("critical");
  });

  it("judges exit codes as Consul does", () => {
    expect(commandHealth(0)).toBe("passing");
    expect(commandHealth(1)).toBe("warning");
    expect([2, 127, 255, null].map(commandHealth)).toEqual(Array(4).fill("critical"));
  });

  it("publishes at most 256 bytes of output, never half a character", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 400 }), (text) => {
        const clipped = clipOutput(text);
        const bytes = new TextEncoder().encode(clipped).length;
        expect(bytes).toBeLessThanOrEqual(HEALTH_OUTPUT_MAX_BYTES);
        expect(text.startsWith(clipped)).toBe(true);
        // Cut only as much as needed: one more character would not fit.
        if (clipped !== text) expect(bytes).toBeGreaterThan(HEALTH_OUTPUT_MAX_BYTES - 4);
      }),
    );
    expect(healthState({ health: "warning", output: "é".repeat(200) })).toEqual({
      health: "warning",
      health_output: "é".repeat(128),
    });
  });
});

describe("flags", () => {
  it("reads flags, then the environment, then defaults", () => {
    const values = parseFlags(
      agentCommand.flags,
      ["--cluster", "c", "--name", "a", "--state", "k=v", "--state", "x=y=z"],
      {
        HEARSAY_URL: "http://mesh",
        HEARSAY_TOKEN: "t",
      },
    );
    expect(required(values, "url")).toBe("http://mesh");
    expect(values.token).toBe("t");
    expect(integer(values, "interval-ms")).toBe(1000);
    expect(pairs(values, "state")).toEqual({ k: "v", x: "y=z" });
  });

  it("answers a bad flag or value with one line", () => {
    const bad = (argv: string[]) => {
      try {
        const values = parseFlags(agentCommand.flags, argv, {});
        integer(values, "interval-ms");
        pairs(values, "state");
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error("expected a usage error");
    };
    expect(bad(["--bogus"])).toBe("Unknown option '--bogus'");
    expect(bad(["--interval-ms", "fast"])).toBe('--interval-ms must be a whole number >= 1, not "fast"');
    expect(bad(["--state", "novalue"])).toBe('--state takes key=value, not "novalue"');
    expect(bad(["--leave-when-critical=yes"])).not.toContain("\n");
  });
});

describe("members table", () => {
  it("lines up one row per member, state keys as columns", () => {
    const lines = membersTable([
      { node: "n0", kind: "node", status: "alive", incarnation: 0, generation: 1, region: "weur" },
      {
        node: "web-1",
        kind: "agent",
        status: "suspect",
        incarnation: 0,
        generation: 2,
        home: "n0",
        state: { health: "critical" },
      },
    ]);
    expect(lines).toEqual([
      "Node   Kind   Status   Home  Region  health",
      "n0     node   alive    -     weur    -",
      "web-1  agent  suspect  n0    -       critical",
    ]);
  });
});
