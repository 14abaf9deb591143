import DataLoader from 'dataloader';

/**
 * Records by id for one operation: a DataLoader (one statement per batch of ids) that also holds the
 * records it has read or been given, and answers a lookup of one of those at once, with no promise. In
 * a page of 500 events whose devices the page's parent already read, each event's device is then a map
 * lookup rather than a promise and a turn of the microtask queue for the executor to await.
 */
export class RecordsById<R extends { readonly id: string }> {
  /** Records held, by id; null for an id known to have none. */
  private readonly held = new Map<string, R | null>();
  private readonly loader: DataLoader<string, R | null>;

  /** `fetch` reads the records of `ids` in their order, null where none; `batch: false` reads one id per statement. */
  constructor(fetch: (ids: readonly string[]) => Promise<Array<R | null>>, { batch }: { batch: boolean }) {
    this.loader = new DataLoader(
      async (ids) => {
        const records = await fetch(ids);
        ids.forEach((id, i) => this.hold(id, records[i] ?? null));
        return records;
      },
      { batch },
    );
  }

  /** The record with `id` (null when there is none): the record itself when held, else a promise of it. */
  get(id: string): R | null | Promise<R | null> {
    const record = this.held.get(id);
    return record === undefined ? this.loader.load(id) : record;
  }

  /** Holds `records`, read anyway by a page or a join, for later lookups; one already held is kept. */
  prime(records: readonly R[]): void {
    for (const record of records) this.hold(record.id, record);
  }

  private hold(id: string, record: R | null): void {
    if (!this.held.has(id)) this.held.set(id, record);
  }
}
