// Rollup reads of the embedded store, remembered until they can have changed. Turning rows into
// objects is most of a stats call's cost, and dashboards and integrations ask the same
// questions over and over. An entry is dropped when this process applies a batch for its
// customer; a commit by any other connection to the file (a CLI import, another process)
// changes SQLite's `PRAGMA data_version` and drops everything. Cached values are shared:
// callers only read them.
const MAX_ENTRIES = 20_000;

export class ReadCache {
  private readonly byCustomer = new Map<number, Map<string, unknown>>();
  private entries = 0;
  private version: number;

  constructor(private readonly dataVersion: () => number) {
    this.version = dataVersion();
  }

  get<T>(customerId: number, key: string, load: () => T): T {
    const version = this.dataVersion();
    if (version !== this.version) {
      this.clear();
      this.version = version;
    }
    let forCustomer = this.byCustomer.get(customerId);
    if (forCustomer?.has(key)) return forCustomer.get(key) as T;
    const value = load();
    if (this.entries >= MAX_ENTRIES) this.clear();
    if (!forCustomer) this.byCustomer.set(customerId, (forCustomer = new Map()));
    forCustomer.set(key, value);
    this.entries++;
    return value;
  }

  /** After this process changed the customer's rollups. */
  forget(customerId: number): void {
    const forCustomer = this.byCustomer.get(customerId);
    if (!forCustomer) return;
    this.entries -= forCustomer.size;
    this.byCustomer.delete(customerId);
  }

  private clear(): void {
    this.byCustomer.clear();
    this.entries = 0;
  }
}
