/**
 * The core's Transport over Durable Object RPC: a peer is the GossipNode named
 * `<cluster>/<peer>`, and every protocol message goes through its one `gossip` method. A
 * request has a deadline; a call that throws or times out fails (the core counts it) and its
 * stub is dropped, because a stub whose call threw is broken. A node that is stopped answers
 * with a refusal instead of throwing: the request rejects with PeerRefused and the stub stays
 * usable. One-way pushes are not awaited by the protocol; `keepAlive` keeps the object running
 * until they are delivered.
 */
import {
  isRefusal,
  PeerRefused,
  type PushMessage,
  type Refusal,
  type RequestMessage,
  type Transport,
} from "../core/index.js";

/** What a node answers instead of a reply when it will not take part. */
export function refusal(reason: string): Refusal {
  return { t: "refused", reason };
}

/** The RPC method a peer must offer. */
export interface PeerStub {
  gossip(message: unknown): Promise<unknown>;
}

export interface StubTransportOptions {
  /** Returns a fresh stub for a peer name. */
  connect: (peer: string) => PeerStub;
  /** Deadline of a request that names none (anti-entropy), ms. */
  timeoutMs: number;
  /** Keeps the object alive until `work` settles (ctx.waitUntil). */
  keepAlive: (work: Promise<unknown>) => void;
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

  async request(peer: string, message: RequestMessage, timeoutMs?: number): Promise<unknown> {
    const answer = await this.call(peer, message, timeoutMs ?? this.options.timeoutMs);
    if (isRefusal(answer)) throw new PeerRefused(peer, answer.reason);
    return answer;
  }

  send(peer: string, message: PushMessage): void {
    this.options.keepAlive(this.call(peer, message, this.options.timeoutMs).catch(() => undefined));
  }

  private async call(peer: string, message: unknown, timeoutMs: number): Promise<unknown> {
    let stub = this.stubs.get(peer);
    if (!stub) {
      stub = this.options.connect(peer);
      this.stubs.set(peer, stub);
    }
    this.options.onCall?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new PeerUnavailable(peer, "timed out")), timeoutMs);
    });
    try {
      return await Promise.race([stub.gossip(message), deadline]);
    } catch (error) {
      // Broken or slow: the next call to this peer gets a new stub.
      if (this.stubs.get(peer) === stub) this.stubs.delete(peer);
      throw error;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
  }
}
