/**
 * One copy of each member name. A MemberTable keeps the names it is given; names parsed from
 * messages are fresh strings each time, so the table interns them first. Simulated nodes of one
 * process share one Interner (N names, not N^2); a Durable Object's node has its own.
 */
export class Interner {
  private readonly names = new Map<string, string>();

  /** The one copy of `name`. */
  intern(name: string): string {
    const known = this.names.get(name);
    if (known !== undefined) return known;
    this.names.set(name, name);
    return name;
  }

  get size(): number {
    return this.names.size;
  }
}
