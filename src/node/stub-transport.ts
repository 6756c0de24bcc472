/**
 * The core's Transport over Durable Object RPC: a peer is the GossipNode named
 * `<cluster>/<peer>`. Every call has a deadline; a call that throws or times out fails the
 * exchange (the core counts it) and its stub is dropped, because a stub whose call threw is
 * broken. A node that is stopped answers with a refusal instead of throwing, which keeps its
 * stub usable and still fails the exchange.
 */
import type { AckMessage, SynMessage, Transport } from "../core/index.js";

/** What a node answers instead of a SynAck when it will not exchange (stopped, bad Syn). */
export interface Refusal {
  t: "refused";
  reason: string;
}

export function refusal(reason: string): Refusal {
  return { t: "refused", reason };
}

export function isRefusal(value: unknown): value is Refusal {
  return typeof value === "object" && value !== null && (value as { t?: unknown }).t === "refused";
}

/** The two RPC methods a peer must offer. */
export interface PeerStub {
  exchange(syn: unknown): Promise<unknown>;
  ack(message: unknown): Promise<void>;
}

export interface StubTransportOptions {
  /** Returns a fresh stub for a peer name. */
  connect: (peer: string) => PeerStub;
  timeoutMs: number;
  /** Called once per RPC call made. */
  onCall?: () => void;
}

export class PeerUnavailable extends Error {
  constructor(peer: string, reason: string) {
    super(`peer ${peer}: ${reason}`);
    this.name = "PeerUnavailable";
  }
}

export class StubTransport implements Transport {
  private readonly stubs = new Map<string, PeerStub>();

  constructor(private readonly options: StubTransportOptions) {}

  async syn(peer: string, message: SynMessage): Promise<unknown> {
    const answer = await this.call(peer, (stub) => stub.exchange(message));
    if (isRefusal(answer)) throw new PeerUnavailable(peer, `refused: ${answer.reason}`);
    return answer;
  }

  async ack(peer: string, message: AckMessage): Promise<void> {
    await this.call(peer, (stub) => stub.ack(message));
  }

  private async call<T>(peer: string, send: (stub: PeerStub) => Promise<T>): Promise<T> {
    let stub = this.stubs.get(peer);
    if (!stub) {
      stub = this.options.connect(peer);
      this.stubs.set(peer, stub);
    }
    this.options.onCall?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PeerUnavailable(peer, "timed out")), this.options.timeoutMs);
    });
    try {
      return await Promise.race([send(stub), deadline]);
    } catch (error) {
      // Broken or slow: the next call to this peer gets a new stub.
      if (this.stubs.get(peer) === stub) this.stubs.delete(peer);
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
