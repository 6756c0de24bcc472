/**
 * The order of liveness claims about one member, and its merge. A claim is
 * (generation, incarnation, status): a newer generation beats everything; within a generation
 * `left` beats everything (a leave is final until a restart); then a higher incarnation beats a
 * lower one; within an incarnation suspect beats alive and dead beats suspect. So alive(i)
 * beats suspect(j) when i > j, suspect(i) beats alive(i), dead ends incarnation i, and only the
 * member itself, by raising its incarnation, overrides a suspicion or a death. Merging takes
 * the greater claim: a join (commutative, associative, idempotent).
 */
import { type MemberStatus, type StatusCode, WIRE_STATUSES, type WireStatus } from "./types.js";

export const ALIVE: StatusCode = 0;
export const SUSPECT: StatusCode = 1;
export const DEAD: StatusCode = 2;
export const LEFT: StatusCode = 3;

/** A liveness claim, as plain numbers. */
export interface Claim {
  generation: number;
  incarnation: number;
  status: StatusCode;
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareClaims(a: Claim, b: Claim): number {
  if (a.generation !== b.generation) return a.generation - b.generation;
  const aLeft = a.status === LEFT ? 1 : 0;
  const bLeft = b.status === LEFT ? 1 : 0;
  if (aLeft !== bLeft) return aLeft - bLeft;
  if (a.incarnation !== b.incarnation) return a.incarnation - b.incarnation;
  return a.status - b.status;
}

/** The greater of two claims (the merge). */
export function mergeClaims(a: Claim, b: Claim): Claim {
  return compareClaims(a, b) >= 0 ? a : b;
}

export function statusName(code: StatusCode): WireStatus {
  return WIRE_STATUSES[code] as WireStatus;
}

export function statusCode(status: MemberStatus): StatusCode {
  const index = WIRE_STATUSES.indexOf(status as WireStatus);
  return Math.max(index, 0) as StatusCode;
}

export function isStatusCode(value: unknown): value is StatusCode {
  return value === 0 || value === 1 || value === 2 || value === 3;
}
