package toonstore

// #include <stdlib.h>
// #include "shim.h"
import "C"

import (
	"io"
	"math"
	"sync"
	"time"
	"unsafe"
)

// DB is an open database. It is safe for concurrent use by many goroutines;
// Close waits for the calls in flight and makes every later call return
// ErrClosed. A DB is an io.Closer.
type DB struct {
	// mu is held for reading by every call on the handle and for writing by
	// Close, so the C handle is never freed while a call uses it.
	mu   sync.RWMutex
	c    *C.ToonStore // nil once closed
	path string
}

var _ io.Closer = (*DB)(nil)

// Durability says when a write reaches stable storage.
type Durability int

const (
	// DurabilityNormal (the default): a write survives a crash of the
	// process at once; it reaches the disk within Options.SyncInterval, on
	// Sync and on Close.
	DurabilityNormal Durability = iota
	// DurabilityOff: no background flush (bulk loads); a write still
	// survives a crash of the process, and reaches the disk on Sync and Close.
	DurabilityOff
	// DurabilityFull: each write is on stable storage before it returns.
	DurabilityFull
)

func (d Durability) c() (C.uint32_t, error) {
	switch d {
	case DurabilityNormal:
		return C.TOONSTORE_DURABILITY_NORMAL, nil
	case DurabilityOff:
		return C.TOONSTORE_DURABILITY_OFF, nil
	case DurabilityFull:
		return C.TOONSTORE_DURABILITY_FULL, nil
	}
	return 0, errInvalid("unknown durability")
}

// Options for OpenWith. The zero value gives the library's defaults: create
// the database when missing, DurabilityNormal, checksums verified on read.
type Options struct {
	// Durability of writes (default DurabilityNormal).
	Durability Durability
	// ReadOnly opens the database for reading only: it takes no lock, so
	// it opens beside a writer in another process (and any number of other
	// readers); it sees the database as of its open until Refresh. Writes
	// fail with ErrReadOnly.
	ReadOnly bool
	// MustExist fails the open instead of creating a missing database.
	MustExist bool
	// SkipChecksums turns off the CRC check of each record read.
	SkipChecksums bool
	// SyncInterval is the time between background flushes with
	// DurabilityNormal, in whole milliseconds (0: the library's default, 1 s).
	SyncInterval time.Duration
	// MaxValueSize is the largest value accepted, in bytes (0: default, 64 MiB).
	// Larger puts fail with ErrTooLarge.
	MaxValueSize uint64
	// SegmentSize is the size of a log segment file in bytes (0: default, 64 MiB).
	SegmentSize uint64
}

// Open opens the database in directory path with the default options,
// creating it (and the directory) when missing. A database open for writing
// in another process gives ErrLocked; one already open in this process is
// shared (the new DB is another handle on it; each is closed on its own).
func Open(path string) (*DB, error) {
	return OpenWith(path, nil)
}

// OpenWith opens the database in directory path with opts (nil: defaults).
func OpenWith(path string, opts *Options) (*DB, error) {
	var set C.uint
	var durability, readOnly, create, verify, interval C.uint32_t
	var maxValue, segment C.uint64_t
	if opts != nil {
		d, err := opts.Durability.c()
		if err != nil {
			return nil, err
		}
		set |= C.TS_SET_DURABILITY
		durability = d
		if opts.ReadOnly {
			set |= C.TS_SET_READ_ONLY
			readOnly = 1
		}
		if opts.MustExist {
			set |= C.TS_SET_CREATE
			create = 0
		}
		if opts.SkipChecksums {
			set |= C.TS_SET_VERIFY
			verify = 0
		}
		if opts.SyncInterval != 0 {
			ms := opts.SyncInterval.Milliseconds()
			if opts.SyncInterval < 0 || ms == 0 || ms > math.MaxUint32 {
				return nil, errInvalid("SyncInterval must be between 1 ms and 2^32-1 ms")
			}
			set |= C.TS_SET_SYNC_INTERVAL
			interval = C.uint32_t(ms)
		}
		if opts.MaxValueSize != 0 {
			set |= C.TS_SET_MAX_VALUE
			maxValue = C.uint64_t(opts.MaxValueSize)
		}
		if opts.SegmentSize != 0 {
			set |= C.TS_SET_SEGMENT
			segment = C.uint64_t(opts.SegmentSize)
		}
	}
	cpath, err := cString(path)
	if err != nil {
		return nil, err
	}
	defer C.free(unsafe.Pointer(cpath))
	r := C.ts_open(cpath, set, durability, readOnly, create, verify, interval, maxValue, segment)
	if r.code != 0 {
		return nil, resErr(r)
	}
	return &DB{c: (*C.ToonStore)(r.handle), path: path}, nil
}

// Path returns the directory the database was opened at.
func (db *DB) Path() string { return db.path }

// Close makes every acknowledged write durable, releases the lock and the
// memory of the handle, and returns the error of the final flush, if any
// (the handle is released either way). It waits for calls in flight on
// other goroutines. Iterators and snapshots taken earlier stay usable. A
// second Close returns ErrClosed.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.c == nil {
		return errClosed("database")
	}
	r := C.ts_close(db.c)
	db.c = nil
	if r.code != 0 {
		return resErr(r)
	}
	return nil
}

// Put appends a row holding a copy of data and returns its row id. Row ids
// increase and are never reused, also after deletes and reopening. data may
// be empty. A row larger than Options.MaxValueSize gives ErrTooLarge, a
// read-only DB ErrReadOnly.
func (db *DB) Put(data []byte) (int64, error) {
	return db.put(data, C.TOONSTORE_DURABILITY_DEFAULT)
}

// PutWith is Put with the durability d for this one write instead of the
// one the database was opened with (e.g. DurabilityFull for a write that
// must be on disk when PutWith returns).
func (db *DB) PutWith(data []byte, d Durability) (int64, error) {
	cd, err := d.c()
	if err != nil {
		return -1, err
	}
	return db.put(data, cd)
}

func (db *DB) put(data []byte, durability C.uint32_t) (int64, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return -1, errClosed("database")
	}
	r := C.ts_put(db.c, bytesPtr(data), C.size_t(len(data)), durability)
	if r.code != 0 {
		return -1, resErr(r)
	}
	return int64(r.value), nil
}

// scratchSize is the size of the pooled buffers Get reads into. A row up to
// this size takes one cgo call; a larger one a second call into a buffer of
// its exact size.
const scratchSize = 8 << 10

var scratchPool = sync.Pool{New: func() any {
	b := make([]byte, scratchSize)
	return &b
}}

// Get returns a copy of row id, owned by the caller. A row id never assigned
// or deleted gives ErrNotFound; an empty row gives a non-nil empty slice.
func (db *DB) Get(id int64) ([]byte, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return nil, errClosed("database")
	}
	sp := scratchPool.Get().(*[]byte)
	scratch := *sp
	r := C.ts_get_into(db.c, C.int64_t(id), (*C.uint8_t)(unsafe.Pointer(&scratch[0])), C.size_t(len(scratch)))
	if r.code == 0 {
		out := make([]byte, int(r.len))
		copy(out, scratch)
		scratchPool.Put(sp)
		return out, nil
	}
	scratchPool.Put(sp)
	if r.code != C.TOONSTORE_ERR_BUFFER_TOO_SMALL {
		return nil, resErr(r)
	}
	// Larger than the scratch buffer: read straight into a buffer of the
	// size the library reported (rows never change size; a concurrent
	// delete gives ErrNotFound here).
	out := make([]byte, int(r.len))
	r = C.ts_get_into(db.c, C.int64_t(id), bytesPtr(out), C.size_t(len(out)))
	if r.code != 0 {
		return nil, resErr(r)
	}
	return out[:int(r.len)], nil
}

// Contains reports whether row id is live (put and not deleted).
func (db *DB) Contains(id int64) (bool, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return false, errClosed("database")
	}
	r := C.ts_contains(db.c, C.int64_t(id))
	if r.code != 0 {
		return false, resErr(r)
	}
	return r.value == 1, nil
}

// Delete deletes row id; a row that is absent or already deleted gives
// ErrNotFound.
func (db *DB) Delete(id int64) error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return errClosed("database")
	}
	r := C.ts_delete(db.c, C.int64_t(id))
	if r.code != 0 {
		return resErr(r)
	}
	return nil
}

// Sync makes every acknowledged write durable (an fsync of the log).
func (db *DB) Sync() error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return errClosed("database")
	}
	if r := C.ts_sync(db.c); r.code != 0 {
		return resErr(r)
	}
	return nil
}

// Compact rewrites the segments that hold deleted rows to reclaim their
// space. Row ids do not change; readers, snapshots and writers keep working
// meanwhile.
func (db *DB) Compact() error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return errClosed("database")
	}
	if r := C.ts_compact(db.c); r.code != 0 {
		return resErr(r)
	}
	return nil
}

// Stats are the row counts and space of a database.
type Stats struct {
	LiveRows        uint64  // rows that can be read
	DeletedRows     uint64  // ids assigned and then deleted
	NextRowID       int64   // the id the next put will receive
	LiveBytes       uint64  // bytes of the records (8-byte headers included) of live rows
	DiskBytes       uint64  // bytes the database's files occupy on disk
	SegmentCount    uint64  // segment files
	GarbageFraction float64 // fraction (0..1) of record bytes a compaction would reclaim
}

// Stats returns the database's row counts and space.
func (db *DB) Stats() (Stats, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return Stats{}, errClosed("database")
	}
	s := C.ts_stats(db.c)
	if s.r.code != 0 {
		return Stats{}, resErr(s.r)
	}
	return Stats{
		LiveRows:        uint64(s.st.live_rows),
		DeletedRows:     uint64(s.st.deleted_rows),
		NextRowID:       int64(s.st.next_row_id),
		LiveBytes:       uint64(s.st.live_bytes),
		DiskBytes:       uint64(s.st.disk_bytes),
		SegmentCount:    uint64(s.st.segment_count),
		GarbageFraction: float64(s.st.garbage_fraction),
	}, nil
}

// Scan returns an iterator over the live rows in ascending row id order. It
// reads a snapshot: rows put or deleted after Scan returns do not change
// what it yields. An error (also a closed DB) shows as Next returning false
// and Err returning it.
func (db *DB) Scan() *Iter {
	return db.ScanFrom(0)
}

// ScanFrom is Scan starting at the first live row with id >= start.
func (db *DB) ScanFrom(start int64) *Iter {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return &Iter{err: errClosed("database")}
	}
	r := C.ts_scan(db.c, C.int64_t(start))
	if r.code != 0 {
		return &Iter{err: resErr(r)}
	}
	return newIter((*C.ToonStoreIter)(r.handle), nil)
}

// ScanEnd is ScanRange's stop for "no upper bound" (the C API's
// TOONSTORE_SCAN_END).
const ScanEnd int64 = math.MaxInt64

// scanFlags is the C flags word of a range scan.
func scanFlags(reverse bool) C.uint32_t {
	if reverse {
		return C.TOONSTORE_SCAN_REVERSE
	}
	return 0
}

// ScanRange returns an iterator over the live rows with start <= id < stop
// (stop ScanEnd: no bound), in ascending row id order or, when reverse,
// from the highest id down, over a snapshot taken now. It finds its first
// row directly. The last n rows: ScanRange(0, ScanEnd, true) and n calls of
// Next. A negative start, stop < start, or a closed DB show as Next
// returning false and Err returning the error (ErrInvalidArg, ErrClosed).
func (db *DB) ScanRange(start, stop int64, reverse bool) *Iter {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return &Iter{err: errClosed("database")}
	}
	r := C.ts_scan_range(db.c, C.int64_t(start), C.int64_t(stop), scanFlags(reverse))
	if r.code != 0 {
		return &Iter{err: resErr(r)}
	}
	return newIter((*C.ToonStoreIter)(r.handle), nil)
}

// Commit writes every operation of b atomically: all of them or, on error,
// none. The puts receive consecutive row ids in the order they were added;
// Commit returns the first (-1 when b holds no put). A delete of a row that
// is absent at commit fails the whole batch with ErrNotFound. On success b
// is reset for reuse; on failure it is left as it was.
func (db *DB) Commit(b *Batch) (int64, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return -1, errClosed("database")
	}
	if b == nil || len(b.ops) == 0 {
		return -1, nil
	}
	r := C.ts_commit(db.c, bytesPtr(b.data), &b.ops[0], C.size_t(len(b.ops)))
	if r.code != 0 {
		return -1, resErr(r)
	}
	b.Reset()
	return int64(r.value), nil
}

// Snapshot takes a consistent, read-only view of the database as of now.
// It stays usable after the DB is closed; release it with Snapshot.Close.
func (db *DB) Snapshot() (*Snapshot, error) {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return nil, errClosed("database")
	}
	r := C.ts_snapshot_open(db.c)
	if r.code != 0 {
		return nil, resErr(r)
	}
	return newSnapshot((*C.ToonStoreSnapshot)(r.handle)), nil
}

// cString is C.CString refusing a path with a NUL byte, which C would cut.
func cString(s string) (*C.char, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return nil, errInvalid("the path contains a NUL byte")
		}
	}
	return C.CString(s), nil
}
