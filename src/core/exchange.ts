/**
 * Drives a Gossiper over an asynchronous transport: one exchange per chosen peer, all
 * concurrently. A peer that fails, refuses or answers garbage is a failed exchange, never an
 * error of the caller. The Durable Object plugs in RPC stubs; tests plug in memory.
 */
import type { Gossiper } from "./gossiper.js";
import type { AckMessage, SynMessage } from "./types.js";

export interface Transport {
  /** Sends a Syn to `peer` and returns its raw answer (validated by the caller). */
  syn(peer: string, message: SynMessage): Promise<unknown>;
  /** Sends the final Ack to `peer`. */
  ack(peer: string, message: AckMessage): Promise<void>;
}

export interface RoundReport {
  peers: string[];
  succeeded: number;
  failed: number;
}

/** Runs one exchange with `peer` from an already built Syn. Resolves true on success. */
export async function exchange(
  gossiper: Gossiper,
  transport: Transport,
  peer: string,
  syn: SynMessage,
): Promise<boolean> {
  let answer: unknown;
  try {
    answer = await transport.syn(peer, syn);
  } catch {
    gossiper.exchangeFailed();
    return false;
  }
  const ack = gossiper.handleSynAck(answer);
  if (ack !== null && "ok" in ack) return false;
  if (ack === null) return true;
  try {
    await transport.ack(peer, ack);
    return true;
  } catch {
    gossiper.exchangeFailed();
    return false;
  }
}

/** Runs a whole round: heartbeat, evaluation, peer choice, exchanges. */
export async function gossipRound(
  gossiper: Gossiper,
  transport: Transport,
  heartbeatFloor = 0,
): Promise<RoundReport> {
  const plans = gossiper.beginRound(heartbeatFloor);
  const results = await Promise.all(plans.map(({ peer, syn }) => exchange(gossiper, transport, peer, syn)));
  const succeeded = results.filter(Boolean).length;
  return { peers: plans.map((plan) => plan.peer), succeeded, failed: results.length - succeeded };
}
