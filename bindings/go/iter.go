package toonstore

// #include "shim.h"
import "C"

import (
	"runtime"
	"sync"
	"unsafe"
)

// Rows and bytes one cgo call copies out of the library for an iterator.
const (
	fillRows  = 256
	fillBytes = 32 << 10
)

// fillBufs receive the rows of one fill; pooled, so a scan allocates only
// the slices it returns.
type fillBufs struct {
	ids  [fillRows]C.int64_t
	lens [fillRows]C.size_t
	data [fillBytes]byte
}

var fillPool = sync.Pool{New: func() any { return new(fillBufs) }}

// Iter walks rows in ascending row id order, over a snapshot taken when the
// scan started. Use it from one goroutine at a time:
//
//	it := db.Scan()
//	defer it.Close()
//	for it.Next() {
//		id, data := it.Value()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//
// Rows are fetched from the library in batches (one cgo call for up to 256
// rows or 32 KiB). Value copies the current row into a slice owned by the
// caller, valid after the iterator moves and after later writes; ValueRef
// returns it without a copy, valid until the next Next. An iterator that
// reached its end or an error releases its C resources by itself; Close
// releases them earlier.
type Iter struct {
	c    *C.ToonStoreIter // nil once released
	snap *Snapshot        // the snapshot it reads, for iterators from Snapshot.Scan
	bufs *fillBufs

	n, i, off int // rows in bufs, the next one to return, its byte offset
	status    int // of the last fill: 1 more rows, 0 end, <0 an error after the rows
	fillErr   error
	pending   bool // a row too large for bufs, borrowed from the library
	pendingID int64
	pendingP  *C.uint8_t
	pendingN  C.size_t

	id       int64
	cur      []byte // the current row: in bufs.data, or (a large row) a copy of its own
	curOwned bool   // cur is a copy nobody else has: Value may hand it out
	val      []byte // what Value returned for the current row
	valid    bool   // Next returned true and the row is current
	err      error
}

func newIter(c *C.ToonStoreIter, snap *Snapshot) *Iter {
	it := &Iter{c: c, snap: snap, status: 1}
	runtime.SetFinalizer(it, (*Iter).Close)
	return it
}

// Next moves to the next row and reports whether there is one. It returns
// false at the end and on an error (see Err). Next copies nothing: Value
// does.
func (it *Iter) Next() bool {
	it.val = nil
	for {
		if it.i < it.n {
			n := int(it.bufs.lens[it.i])
			it.id = int64(it.bufs.ids[it.i])
			it.cur, it.curOwned = it.bufs.data[it.off:it.off+n:it.off+n], false
			it.off += n
			it.i++
			it.valid = true
			return true
		}
		if it.pending {
			// A row larger than bufs, borrowed from the library until the
			// next fill or free of it.c: copied at once, so that no slice
			// of this package ever points into the library's memory.
			v := make([]byte, int(it.pendingN))
			copy(v, cBytes(it.pendingP, it.pendingN))
			it.id, it.cur, it.curOwned = it.pendingID, v, true
			it.pending, it.pendingP = false, nil
			it.valid = true
			return true
		}
		it.valid, it.cur = false, nil
		if it.c == nil || it.status <= 0 {
			if it.status < 0 && it.err == nil {
				it.err = it.fillErr
			}
			it.release()
			return false
		}
		it.fill()
	}
}

func (it *Iter) fill() {
	if it.bufs == nil {
		it.bufs = fillPool.Get().(*fillBufs)
	}
	b := it.bufs
	f := C.ts_iter_fill(it.c, &b.ids[0], &b.lens[0], fillRows,
		(*C.uint8_t)(unsafe.Pointer(&b.data[0])), fillBytes)
	it.n, it.i, it.off = int(f.count), 0, 0
	it.status = int(f.status)
	if f.status < 0 {
		it.fillErr = errorFrom(C.int(f.status), f.msg, f.name)
	}
	if f.has_pending != 0 {
		it.pending = true
		it.pendingID = int64(f.pending_id)
		it.pendingP = f.pending_ptr
		it.pendingN = f.pending_len
	}
}

// Value returns the current row: its id and a copy of its bytes owned by
// the caller, valid after the iterator moves, after later writes and after
// Close. Calling it again for the same row returns the same slice. Call it
// after Next returned true (otherwise it returns 0, nil).
func (it *Iter) Value() (int64, []byte) {
	if !it.valid {
		return 0, nil
	}
	if it.val == nil {
		if it.curOwned {
			it.val = it.cur
		} else {
			it.val = make([]byte, len(it.cur))
			copy(it.val, it.cur)
		}
	}
	return it.id, it.val
}

// ValueRef is Value without the copy: the bytes are valid only until the
// next call to Next or Close, and must not be modified. Use it for rows you
// look at but do not keep (filtering, counting, decoding into your own
// values); it allocates nothing.
func (it *Iter) ValueRef() (int64, []byte) {
	if !it.valid {
		return 0, nil
	}
	return it.id, it.cur
}

// Err returns the error that ended the iteration, or nil when it ended
// normally or is still going. A scan of a closed DB or snapshot reports
// ErrClosed here.
func (it *Iter) Err() error {
	return it.err
}

// Close releases the iterator; Next returns false afterwards. Closing
// twice, or after the end, is fine. It always returns nil (errors are
// reported by Err); it makes an Iter an io.Closer.
func (it *Iter) Close() error {
	it.release()
	it.n, it.i, it.status, it.pending = 0, 0, 0, false
	it.valid, it.cur, it.val = false, nil, nil
	return nil
}

func (it *Iter) release() {
	if it.c == nil {
		return
	}
	C.toonstore_iter_free(it.c)
	it.c = nil
	it.pendingP = nil
	if it.bufs != nil {
		fillPool.Put(it.bufs)
		it.bufs = nil
	}
	if it.snap != nil {
		it.snap.iterDone()
		it.snap = nil
	}
	runtime.SetFinalizer(it, nil)
}
