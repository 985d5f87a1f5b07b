/**
 * The repository's document store. Bytes stream in and out; no document is held whole in memory.
 * A document is keyed by its DocumentEntry.uniqueId (never used raw as a path or file name).
 *
 * Writing is two-phase so a failed submission leaves no orphan: `stage()` streams bytes to a temporary
 * object while SHA-1 and size are computed; `commit()` makes staged documents durable and visible
 * (fsync + atomic rename for files); `discard()` removes a staged object. A committed document can be
 * removed again with `remove()` (rollback when the registry refuses the metadata, or ITI-86 later).
 */
import type { Readable, Writable } from 'node:stream';
import type { ChunkSource } from '../../shared/mtom/writer';

export interface StoredDocumentInfo {
  uniqueId: string;
  mimeType: string;
  size: number;
  /** SHA-1, lowercase hex. */
  hash: string;
  /** DTM or ISO time of storage (informational). */
  storedAt: string;
}

export interface StagedDocument {
  /** Opaque handle of the staged bytes. */
  readonly stagingId: string;
  /** Resolves after the sink finished: size and SHA-1 of what was written. */
  readonly done: Promise<{ size: number; hash: string }>;
}

export interface BlobStore {
  /** Open a sink for one incoming document. Bytes written to `sink` are hashed and counted; `maxBytes` aborts the write. */
  stage(opts?: { maxBytes?: number }): Promise<{ sink: Writable; staged: StagedDocument }>;
  /**
   * Make staged documents durable under their uniqueIds; all or nothing. A uniqueId that already holds identical
   * bytes (same SHA-1 and size) is left as it is and not reported as created; one that holds different bytes
   * fails the whole commit with XdsError XDSNonIdenticalHash / XDSNonIdenticalSize and nothing is changed.
   * Returns the uniqueIds this commit created (the ones a rollback must remove).
   */
  commit(items: { staged: StagedDocument; uniqueId: string; mimeType: string }[]): Promise<{ created: string[] }>;
  /** Remove a staged object (no-op once committed or discarded). */
  discard(staged: StagedDocument): Promise<void>;
  /** Metadata of a stored document, or undefined. */
  info(uniqueId: string): Promise<StoredDocumentInfo | undefined>;
  /** A stream of the stored bytes (caller must check `info` first). */
  open(uniqueId: string): Promise<Readable>;
  /**
   * The stored bytes as a ChunkSource, which the MTOM writer reads into reused buffers (no buffer per chunk).
   * Optional: ITI-43 uses it when present, `open` otherwise.
   */
  openSource?(uniqueId: string): Promise<ChunkSource>;
  /** Delete a committed document (rollback after a registry failure; ITI-86). Returns false if absent. */
  remove(uniqueId: string): Promise<boolean>;
  /**
   * After the previous process stopped without close() (a crash): the uniqueIds of documents committed since
   * it started, whose registration nobody confirmed (repository/recovery.ts asks the registry about them).
   * Empty after a clean stop. Optional: a store without it is not reconciled.
   */
  documentsSinceUncleanStop?(): Promise<string[]>;
  /** Those documents have been dealt with: the next unclean stop starts a new window. */
  uncleanStopHandled?(): Promise<void>;
  close(): Promise<void>;
}
