/**
 * One copy of each member name across the MemberTables of one process. Names parsed from
 * messages are fresh strings each time; simulated nodes share one Interner, so N nodes hold N
 * names, not N^2. A Durable Object's node needs none: its one table keeps one copy of each.
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
