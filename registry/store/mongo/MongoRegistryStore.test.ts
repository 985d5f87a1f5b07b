/**
 * The MongoDB registry store without a server: start-up errors (unreachable server, credentials kept out of
 * messages, standalone servers refused), URL handling, and the mapping of driver duplicate-key errors.
 * The store's logic and queries are tested on mingo (MingoRegistryStore.test.ts, queries.test.ts); against a real
 * server in MongoRegistryStore.live.test.ts when MONGODB_URL is set.
 */
import { MongoBulkWriteError, MongoServerError, type BulkWriteResult, type WriteError } from 'mongodb';
import {
  checkServerSelectionTimeout,
  databaseNameOf,
  redactMongoUrl,
  scrubSecrets,
  transactionSupportProblem,
} from '../../../shared/mongo/connection';
import { asDuplicateKeyError, duplicateKeyIndexName, onlyDuplicateKeys, openMongoRegistryStore } from './MongoRegistryStore';

describe('openMongoRegistryStore when MongoDB cannot be used', () => {
  it('rejects within about 2 s naming MongoDB and the URL without credentials', async () => {
    const started = Date.now();
    const err = await openMongoRegistryStore('mongodb://user:secret@127.0.0.1:1/xds', { serverSelectionTimeoutMS: 500 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(Date.now() - started).toBeLessThan(2500);
    expect(err).toBeInstanceOf(Error);
    const message = (err as Error).message;
    expect(message).toContain('MongoDB');
    expect(message).toContain('mongodb://127.0.0.1:1/xds');
    expect(message).not.toContain('secret');
    expect(message).not.toContain('user:');
    expect((err as Error).cause).toBeUndefined();
  });

  it('rejects an unparsable URL with a message that does not repeat the password', async () => {
    const err = (await openMongoRegistryStore('mongodb://user:p%ZZsecret@host:notaport/xds', { serverSelectionTimeoutMS: 500 }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('MongoDB');
    expect(err.message).not.toContain('secret');
  });

  it('refuses a server-selection timeout above 20 s or below 1 ms', async () => {
    expect(() => checkServerSelectionTimeout(20_001)).toThrow(RangeError);
    expect(() => checkServerSelectionTimeout(0)).toThrow(RangeError);
    expect(checkServerSelectionTimeout(20_000)).toBe(20_000);
    await expect(openMongoRegistryStore('mongodb://127.0.0.1:1/xds', { serverSelectionTimeoutMS: 60_000 })).rejects.toThrow(RangeError);
  });
});

describe('connection strings', () => {
  it.each([
    ['mongodb://user:pass@h', 'mongodb://h'],
    ['mongodb://user:secret@127.0.0.1:1/xds', 'mongodb://127.0.0.1:1/xds'],
    ['mongodb+srv://u:p%40ss@cluster.example.org/xds?retryWrites=true', 'mongodb+srv://cluster.example.org/xds?retryWrites=true'],
    ['mongodb://u:p@ss/w@h1:27017,h2:27018/db?replicaSet=rs0', 'mongodb://h1:27017,h2:27018/db?replicaSet=rs0'],
    ['mongodb://h/db?tlsCertificateKeyFilePassword=hush&authMechanismProperties=AWS_SESSION_TOKEN:tok', 'mongodb://h/db?tlsCertificateKeyFilePassword=***&authMechanismProperties=AWS_SESSION_TOKEN:tok'],
    ['mongodb://localhost:27017', 'mongodb://localhost:27017'],
  ])('%s → %s', (url, redacted) => {
    expect(redactMongoUrl(url)).toBe(redacted);
  });

  it('scrubs the password (raw and decoded) and secret option values out of any text', () => {
    const url = 'mongodb://admin:s3cr%40t@h/db?tlsCertificateKeyFilePassword=hush1';
    expect(scrubSecrets('auth failed for admin:s3cr%40t / s3cr@t / hush1', url)).toBe('auth failed for *** / *** / ***');
  });

  it('takes the database from the path, else xds', () => {
    expect(databaseNameOf('mongodb://h/xds_test?replicaSet=rs0')).toBe('xds_test');
    expect(databaseNameOf('mongodb://u:p@h:1/reg')).toBe('reg');
    expect(databaseNameOf('mongodb://h')).toBe('xds');
    expect(databaseNameOf('mongodb://h/?replicaSet=rs0')).toBe('xds');
    expect(databaseNameOf('mongodb://h/my%20db')).toBe('my db');
  });
});

describe('standalone servers are refused (transactions need a replica set or mongos)', () => {
  it('accepts a replica-set member and a mongos, refuses a standalone with instructions', () => {
    expect(transactionSupportProblem({ setName: 'rs0', isWritablePrimary: true } as never, 'mongodb://h')).toBeUndefined();
    expect(transactionSupportProblem({ msg: 'isdbgrid' }, 'mongodb://h')).toBeUndefined();
    const problem = transactionSupportProblem({ isWritablePrimary: true } as never, 'mongodb://h/xds') ?? '';
    expect(problem).toContain('MongoDB at mongodb://h/xds is a standalone server');
    expect(problem).toContain('--replSet');
    expect(problem).toContain('rs.initiate()');
  });
});

describe('driver duplicate-key errors', () => {
  const noResult = undefined as unknown as BulkWriteResult;
  /** What the driver puts in writeErrors (its WriteError class is not exported as a value): index, code, errmsg. */
  const writeError = (e: { code: number; index: number; errmsg: string }): WriteError => e as unknown as WriteError;
  const dup = (index: number, indexName: string): MongoBulkWriteError =>
    new MongoBulkWriteError(
      {
        message: 'E11000 duplicate key error',
        code: 11000,
        writeErrors: [writeError({ code: 11000, index, errmsg: `E11000 duplicate key error collection: xds.x index: ${indexName} dup key: { _id: "k" }` })],
      },
      noResult,
    );

  it('name the collection, the refused document of the batch and the index', () => {
    expect(asDuplicateKeyError(dup(3, '_id_'), 'entry_uuids')).toMatchObject({ collection: 'entry_uuids', position: 3, indexName: '_id_' });
    expect(asDuplicateKeyError(dup(0, 'uniqueId'), 'folders')).toMatchObject({ collection: 'folders', position: 0, indexName: 'uniqueId' });
    expect(duplicateKeyIndexName('E11000 duplicate key error collection: a.b index: entryUuidKey dup key: { entryUuidKey: "x" }')).toBe('entryUuidKey');
  });

  it('without a batch position (a plain server error), carry the refused key', () => {
    const plain = new MongoServerError({ message: 'E11000 duplicate key error collection: xds.unique_ids index: _id_ dup key: { _id: "Folder|1.2" }', code: 11000, keyValue: { _id: 'Folder|1.2' } });
    expect(asDuplicateKeyError(plain, 'unique_ids')).toMatchObject({ collection: 'unique_ids', position: undefined, indexName: '_id_', key: { _id: 'Folder|1.2' } });
  });

  it('leave every other error alone', () => {
    expect(asDuplicateKeyError(new Error('E11000'), 'folders')).toBeUndefined();
    expect(asDuplicateKeyError(new MongoServerError({ message: 'WriteConflict', code: 112 }), 'folders')).toBeUndefined();
  });

  it('are the only refusals an idempotent insert ignores', () => {
    expect(onlyDuplicateKeys(dup(0, '_id_'))).toBe(true);
    const mixed = new MongoBulkWriteError(
      { message: 'x', code: 11000, writeErrors: [writeError({ code: 11000, index: 0, errmsg: '' }), writeError({ code: 121, index: 1, errmsg: 'validation' })] },
      noResult,
    );
    expect(onlyDuplicateKeys(mixed)).toBe(false);
    expect(onlyDuplicateKeys(new Error('x'))).toBe(false);
  });
});
