package toonstore

// #include "shim.h"
import "C"

import (
	"runtime"
	"sync"
)

// Snapshot is a consistent, read-only view of a database at one moment:
// rows put or deleted later are not seen. It is safe for concurrent use by
// many goroutines, stays usable after its DB is closed, and holds the files
// it reads (also through compaction) until Close.
type Snapshot struct {
	mu     sync.RWMutex
	c      *C.ToonStoreSnapshot // nil once freed
	closed bool
	iters  int // open iterators from Scan; the C snapshot is freed after the last
}

func newSnapshot(c *C.ToonStoreSnapshot) *Snapshot {
	s := &Snapshot{c: c}
	// A safety net for a forgotten Close; Close is still the way to
	// release the files promptly.
	runtime.SetFinalizer(s, (*Snapshot).Close)
	return s
}

// Get returns a copy of row id as of the snapshot, owned by the caller;
// ErrNotFound when the row was absent at the snapshot's moment.
func (s *Snapshot) Get(id int64) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed("snapshot")
	}
	r := C.ts_snapshot_get(s.c, C.int64_t(id))
	if r.code != 0 {
		return nil, resErr(r)
	}
	// The row is borrowed from the snapshot, alive while we hold s.mu.
	out := make([]byte, int(r.len))
	copy(out, cBytes(r.ptr, r.len))
	return out, nil
}

// Scan returns an iterator over the snapshot's live rows in ascending row
// id order.
func (s *Snapshot) Scan() *Iter { return s.ScanFrom(0) }

// ScanFrom is Scan starting at the first live row with id >= start.
func (s *Snapshot) ScanFrom(start int64) *Iter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return &Iter{err: errClosed("snapshot")}
	}
	r := C.ts_snapshot_scan(s.c, C.int64_t(start))
	if r.code != 0 {
		return &Iter{err: resErr(r)}
	}
	s.iters++
	return newIter((*C.ToonStoreIter)(r.handle), s)
}

// ScanRange is DB.ScanRange over the snapshot's rows.
func (s *Snapshot) ScanRange(start, stop int64, reverse bool) *Iter {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return &Iter{err: errClosed("snapshot")}
	}
	r := C.ts_snapshot_scan_range(s.c, C.int64_t(start), C.int64_t(stop), scanFlags(reverse))
	if r.code != 0 {
		return &Iter{err: resErr(r)}
	}
	s.iters++
	return newIter((*C.ToonStoreIter)(r.handle), s)
}

// iterDone is called by an iterator of this snapshot when it is released.
func (s *Snapshot) iterDone() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.iters--
	s.freeIfUnused()
}

// freeIfUnused frees the C snapshot once it is closed and no iterator
// reads from it any more (rows an iterator borrows live as long as the
// snapshot). Called with s.mu held for writing.
func (s *Snapshot) freeIfUnused() {
	if s.closed && s.iters == 0 && s.c != nil {
		C.toonstore_snapshot_free(s.c)
		s.c = nil
	}
}

// Close releases the snapshot. Iterators already taken from it keep working
// until they end or are closed; later calls on the snapshot return
// ErrClosed, and so does a second Close.
func (s *Snapshot) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed("snapshot")
	}
	s.closed = true
	runtime.SetFinalizer(s, nil)
	s.freeIfUnused()
	return nil
}
