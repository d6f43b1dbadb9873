/**
 * One kind of name → implementation table of a {@link Registry}: its own entries over those of
 * its parent table (lookups fall through to the parent; registering never touches the parent).
 */
export class NameTable<T> {
  private readonly own = new Map<string, T>();

  constructor(private readonly parent: NameTable<T> | null = null) {}

  /** Registers (or replaces, in this table only) `name`. */
  set(name: string, value: T): void {
    this.own.set(name, value);
  }

  /** The entry called `name`: this table's own, else its parent's; undefined when neither has one. */
  get(name: string): T | undefined {
    return this.own.has(name) ? this.own.get(name) : this.parent?.get(name);
  }

  has(name: string): boolean {
    return this.own.has(name) || (this.parent?.has(name) ?? false);
  }

  /** Every name this table resolves (its own and its parent's), sorted. */
  names(): string[] {
    return [...new Set([...(this.parent?.names() ?? []), ...this.own.keys()])].sort();
  }
}
