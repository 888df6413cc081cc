// Type definitions for the `toonstore` package (hand-written; checked by
// test/types/consumer.ts with `tsc --strict --noEmit`).

/// <reference types="node" />

import type { Readable, ReadableOptions } from 'node:stream';

/**
 * When an acknowledged write is safe:
 * - `'off'`: survives a process crash; reaches the disk at `sync()`/`close()`.
 * - `'normal'` (default): survives a process crash; flushed in the
 *   background every `syncInterval` seconds.
 * - `'full'`: every acknowledged write is on stable storage (fsync before
 *   the call returns; concurrent writers share one flush).
 */
export type Durability = 'off' | 'normal' | 'full';

export interface OpenOptions {
  /** Default `'normal'`. */
  durability?: Durability;
  /**
   * Open for reading only. Takes no lock: opens beside a writer in another
   * process. Sees the database as of its open until `refresh()`.
   */
  readOnly?: boolean;
  /** Create the directory and an empty database when missing (default true). */
  createIfMissing?: boolean;
  /** Check each record's CRC when it is read (default true). */
  verifyChecksums?: boolean;
  /** Largest value `put` accepts, in bytes (default 64 MiB). */
  maxValueSize?: number;
  /** Size of a log segment file in bytes (default 64 MiB, at least 4096). */
  segmentSize?: number;
  /** Seconds between background flushes under `'normal'` (default 1). */
  syncInterval?: number;
}

/** What `put` stores: the bytes of a Buffer, Uint8Array, other ArrayBufferView or ArrayBuffer, or a string as UTF-8. */
export type Data = Uint8Array | ArrayBufferView | ArrayBuffer | string;

/** A row: its id and a copy of its bytes. */
export type Row = [rowId: number, data: Buffer];

export interface ScanOptions {
  /** Lowest row id to return (default 0). */
  start?: number;
  /** Row ids from here on are not returned (default: no bound). Below `start`: a `ToonStoreError` `TOONSTORE_ERR_INVALID_ARG`. */
  stop?: number;
  /** From the highest row id down (default false); with `limit`, the last rows. */
  reverse?: boolean;
  /** Most rows to return (default: all). */
  limit?: number;
  /** Rows read per native call (default 1024, 1 to 65536). */
  chunkRows?: number;
}

export interface ReadStreamOptions extends ScanOptions {
  /** Rows the stream buffers before it stops reading (default 16). */
  highWaterMark?: ReadableOptions['highWaterMark'];
}

export interface Stats {
  /** Rows that can be read. */
  liveRows: number;
  /** Ids assigned and then deleted. */
  deletedRows: number;
  /** The id the next put receives. */
  nextRowId: number;
  /** Bytes of the records of live rows. */
  liveBytes: number;
  /** Bytes the database's files occupy on disk. */
  diskBytes: number;
  segmentCount: number;
  /** Fraction of record bytes a compaction would reclaim (0 to 1). */
  garbageFraction: number;
}

/** The C API's error names (`TOONSTORE_ERR_*`). */
export type ErrorCode =
  | 'TOONSTORE_ERR_INVALID_ARG'
  | 'TOONSTORE_ERR_NOT_FOUND'
  | 'TOONSTORE_ERR_IO'
  | 'TOONSTORE_ERR_CORRUPT'
  | 'TOONSTORE_ERR_LOCKED'
  | 'TOONSTORE_ERR_TOO_LARGE'
  | 'TOONSTORE_ERR_READ_ONLY'
  | 'TOONSTORE_ERR_VERSION'
  | 'TOONSTORE_ERR_NOMEM'
  | 'TOONSTORE_ERR_INTERNAL'
  | 'TOONSTORE_ERR_CLOSED'
  | 'TOONSTORE_ERR_BUFFER_TOO_SMALL'
  | 'TOONSTORE_ERR_POISONED'
  | 'TOONSTORE_ERR_FORKED';

/** Every error of the engine. */
export class ToonStoreError extends Error {
  constructor(message: string, code: ErrorCode);
  /** The C error name, e.g. `'TOONSTORE_ERR_LOCKED'`. */
  readonly code: ErrorCode;
  /** The C error code, e.g. -5. */
  readonly errno: number;
  readonly name: 'ToonStoreError';
}

/** The C error codes by name. */
export const errorCodes: Readonly<Record<ErrorCode, number>>;

/** The engine's version, e.g. `'1.0.0'`. */
export const version: string;

/**
 * The live rows of one snapshot in ascending row id order, for `for..of` and
 * `for await..of`. Single use; breaking out of a loop releases it.
 */
export class Scan implements IterableIterator<Row>, AsyncIterable<Row> {
  private constructor();
  next(): IteratorResult<Row, undefined>;
  return(value?: unknown): IteratorResult<Row, undefined>;
  [Symbol.iterator](): Scan;
  [Symbol.asyncIterator](): AsyncIterableIterator<Row>;
  /** The remaining rows in an array. */
  toArray(): Row[];
  /** Releases the scan. Idempotent. */
  close(): void;
}

/** Puts and deletes committed atomically by `write()`. */
export class Batch {
  private constructor();
  /** Adds a put (the bytes are copied now). */
  put(data: Data): this;
  /** Adds a delete of a live row. */
  delete(rowId: number): this;
  /** Operations added so far. */
  readonly length: number;
  clear(): void;
  /** Commits; returns the ids of the puts in order. Empty afterwards. */
  write(): number[];
  writeAsync(): Promise<number[]>;
}

/** Reads as of one moment. */
export class Snapshot implements Disposable {
  private constructor();
  /** Row ids at or above this were not assigned when it was taken. */
  readonly endId: number;
  readonly closed: boolean;
  get(rowId: number): Buffer | undefined;
  scan(options?: ScanOptions): Scan;
  createReadStream(options?: ReadStreamOptions): Readable;
  /** Releases the snapshot. Idempotent. */
  close(): void;
  [Symbol.dispose](): void;
}

/** An open database. */
export class ToonStore implements Disposable, AsyncDisposable {
  private constructor();
  /** Opens (by default creating) the database in directory `path`. */
  static open(path: string | URL, options?: OpenOptions): ToonStore;
  /** As `open`, with recovery on the thread pool. */
  static openAsync(path: string | URL, options?: OpenOptions): Promise<ToonStore>;

  readonly path: string;
  readonly readOnly: boolean;
  readonly durability: Durability;
  readonly closed: boolean;

  /** Appends a row; returns its id. */
  put(data: Data): number;
  /** A copy of the row, or `undefined` when it is absent or deleted. */
  get(rowId: number): Buffer | undefined;
  /** Whether the row is live. */
  has(rowId: number): boolean;
  /** Deletes a live row (`TOONSTORE_ERR_NOT_FOUND` when it is not). */
  delete(rowId: number): void;
  /** Puts every value in one atomic batch; returns their ids. */
  putMany(values: Iterable<Data>): number[];
  batch(): Batch;
  /** The live rows of a new snapshot. */
  scan(options?: ScanOptions): Scan;
  /** A Readable (object mode) of `[rowId, Buffer]` rows, with back-pressure. */
  createReadStream(options?: ReadStreamOptions): Readable;
  snapshot(): Snapshot;
  /** Flushes every acknowledged write to stable storage. */
  sync(): void;
  /** Rewrites segments that hold deleted rows. */
  compact(): void;
  /**
   * Writes a consistent copy of the database as of one moment into the
   * directory `dest` (which must not exist, or be empty) while writes go on.
   * `TOONSTORE_ERR_INVALID_ARG` when `dest` exists and is not an empty
   * directory, `TOONSTORE_ERR_IO` when it cannot be written (nothing is left
   * at `dest`). Works on a read-only handle (a copy of that handle's state).
   */
  backup(dest: string | URL): void;
  /**
   * Moves a read-only handle to the writer's latest acknowledged state. Does
   * nothing on a handle that shares a writable engine (always current).
   */
  refresh(): void;
  stats(): Stats;
  /** The number of live rows. */
  count(): number;
  /** Closes the handle; later calls throw `TOONSTORE_ERR_CLOSED`. Closing again does nothing. */
  close(): void;

  putAsync(data: Data): Promise<number>;
  getAsync(rowId: number): Promise<Buffer | undefined>;
  deleteAsync(rowId: number): Promise<void>;
  putManyAsync(values: Iterable<Data>): Promise<number[]>;
  syncAsync(): Promise<void>;
  compactAsync(): Promise<void>;
  /** As `backup`, with the copy on the thread pool. */
  backupAsync(dest: string | URL): Promise<void>;
  statsAsync(): Promise<Stats>;
  closeAsync(): Promise<void>;

  [Symbol.dispose](): void;
  [Symbol.asyncDispose](): Promise<void>;
}

declare const toonstore: {
  ToonStore: typeof ToonStore;
  ToonStoreError: typeof ToonStoreError;
  Batch: typeof Batch;
  Snapshot: typeof Snapshot;
  Scan: typeof Scan;
  errorCodes: typeof errorCodes;
  version: string;
};
export default toonstore;
