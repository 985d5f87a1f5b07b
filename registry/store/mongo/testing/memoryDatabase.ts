/**
 * Test double: the RegistryDatabase port (registry/store/mongo/database.ts) in memory, with mingo evaluating the
 * very query and update documents the MongoDB backend sends to a server. Together with CollectionRegistryStore
 * it is the "MingoRegistryStore": the MongoDB backend's logic and queries without a server.
 *
 * What it imitates from MongoDB, because the store relies on it:
 *  - the unique indexes of indexes.ts (and the implicit unique `_id_`), partial filters included, refusing an
 *    insert with DuplicateKeyError naming the index, as the driver adapter does for error 11000;
 *  - ordered inserts (documents before the refused one stay, unless a transaction is undone);
 *  - transactions: work runs on a copy that replaces the data only if it succeeds; transactions run one at a
 *    time (MongoDB would let them run together and retry on write conflicts; the outcome is the same);
 *  - documents are copied on the way in and out, as a round trip through BSON would.
 * Not imitated: query planning, sharding, read concerns, concurrency.
 */
import { Query, update } from 'mingo';
import { DuplicateKeyError, type RegistryCollections, type RegistryDatabase } from '../database';
import type { KindCollectionName, RegistryCollectionName, RegistryDocuments, UpdateDocument } from '../documents';
import { INDEX_NAME, registryIndexes, type IndexSpec, type RegistryTopology } from '../indexes';
import type { QueryDocument } from '../queries';

type AnyStoredDocument = RegistryDocuments[RegistryCollectionName];
type Data = { [C in RegistryCollectionName]: RegistryDocuments[C][] };

function emptyData(): Data {
  return {
    document_entries: [],
    submission_sets: [],
    folders: [],
    associations: [],
    entry_uuids: [],
    unique_ids: [],
    known_patients: [],
    counters: [],
  };
}

function matcher(query: QueryDocument): (doc: object) => boolean {
  const q = new Query(query);
  return (doc) => q.test(doc as Record<string, unknown>);
}

function fieldValue(doc: object, field: string): unknown {
  return (doc as Record<string, unknown>)[field];
}

type UniqueIndex = Pick<IndexSpec, 'name' | 'key' | 'partialFilterExpression'>;

/** The key function of a unique index: undefined for a document outside a partial index. */
function uniqueKeyOf(spec: UniqueIndex): (doc: object) => string | undefined {
  const inIndex = spec.partialFilterExpression ? matcher(spec.partialFilterExpression) : () => true;
  const fields = Object.keys(spec.key);
  return (doc) => (inIndex(doc) ? JSON.stringify(fields.map((f) => fieldValue(doc, f) ?? null)) : undefined);
}

const ID_INDEX: UniqueIndex = { name: INDEX_NAME.id, key: { _id: 1 } };

class MemoryCollections implements RegistryCollections {
  constructor(
    private readonly data: () => Data,
    private readonly uniqueIndexes: readonly IndexSpec[],
    private readonly nextId: () => string,
  ) {}

  private all<C extends RegistryCollectionName>(collection: C): RegistryDocuments[C][] {
    return this.data()[collection];
  }

  async find<C extends KindCollectionName>(collection: C, query: QueryDocument, limit?: number): Promise<RegistryDocuments[C][]> {
    const hits = this.all(collection)
      .filter(matcher(query))
      .sort((a, b) => a.seq - b.seq);
    return structuredClone(limit === undefined ? hits : hits.slice(0, limit));
  }

  async findOne<C extends RegistryCollectionName>(collection: C, query: QueryDocument): Promise<RegistryDocuments[C] | undefined> {
    const hit = this.all(collection).find(matcher(query));
    return hit === undefined ? undefined : structuredClone(hit);
  }

  async count(collection: RegistryCollectionName, query: QueryDocument): Promise<number> {
    return this.all(collection).filter(matcher(query)).length;
  }

  async insertMany<C extends RegistryCollectionName>(collection: C, documents: RegistryDocuments[C][]): Promise<void> {
    const target = this.all(collection);
    const indexes = [ID_INDEX, ...this.uniqueIndexes.filter((s) => s.collection === collection)].map((spec) => {
      const keyOf = uniqueKeyOf(spec);
      return { name: spec.name, keyOf, taken: new Set(target.map(keyOf).filter((k) => k !== undefined)) };
    });
    documents.forEach((doc, position) => {
      const copy = structuredClone(doc);
      if (fieldValue(copy, '_id') === undefined) Object.assign(copy, { _id: this.nextId() });
      const keys = indexes.map((index) => index.keyOf(copy));
      const clash = indexes.find((index, i) => keys[i] !== undefined && index.taken.has(keys[i] as string));
      if (clash) throw new DuplicateKeyError(collection, position, clash.name);
      indexes.forEach((index, i) => {
        const key = keys[i];
        if (key !== undefined) index.taken.add(key);
      });
      target.push(copy);
    });
  }

  async insertMissing<C extends RegistryCollectionName>(collection: C, documents: RegistryDocuments[C][]): Promise<void> {
    const target = this.all(collection);
    for (const doc of documents) {
      const id = fieldValue(doc, '_id');
      if (!target.some((existing) => fieldValue(existing, '_id') === id)) target.push(structuredClone(doc));
    }
  }

  async updateOne(collection: RegistryCollectionName, selector: QueryDocument, change: UpdateDocument): Promise<{ matchedCount: number }> {
    const hit: AnyStoredDocument | undefined = this.all(collection).find(matcher(selector));
    if (hit === undefined) return { matchedCount: 0 };
    update(hit as unknown as Record<string, unknown>, structuredClone(change));
    return { matchedCount: 1 };
  }
}

export class MemoryRegistryDatabase implements RegistryDatabase {
  private data: Data = emptyData();
  private sequence = 0;
  private ids = 0;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly uniqueIndexes: IndexSpec[];
  readonly collections: RegistryCollections;

  constructor(topology: RegistryTopology = 'replicaSet') {
    this.uniqueIndexes = registryIndexes(topology).filter((s) => s.unique === true);
    this.collections = new MemoryCollections(() => this.data, this.uniqueIndexes, () => this.newId());
  }

  async inTransaction<T>(work: (tx: RegistryCollections) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      const working = structuredClone(this.data);
      const result = await work(new MemoryCollections(() => working, this.uniqueIndexes, () => this.newId()));
      this.data = working;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async reserveSequence(count: number): Promise<number> {
    const first = this.sequence + 1;
    this.sequence += count;
    return first;
  }

  /** A copy of everything one collection holds (tests). */
  documents<C extends RegistryCollectionName>(collection: C): RegistryDocuments[C][] {
    return structuredClone(this.data[collection]);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('memory database is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.data = emptyData();
  }

  private newId(): string {
    this.ids += 1;
    return `memory-${this.ids}`;
  }
}
