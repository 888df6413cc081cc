package toonstore

// #include "shim.h"
import "C"

// Batch collects puts and deletes that DB.Commit writes atomically. The zero
// value is an empty batch ready to use (NewBatch is the same). A Batch is
// not tied to a database; it belongs to one goroutine at a time. Adding to a
// batch makes no cgo call: the operations are kept in Go memory and Commit
// hands them to the library in one call.
type Batch struct {
	data []byte    // the bytes of every put, back to back
	ops  []C.ts_op // the operations, in order
}

// NewBatch returns an empty batch.
func NewBatch() *Batch { return &Batch{} }

// Put adds a put of a copy of data; the row id is assigned at commit.
func (b *Batch) Put(data []byte) {
	b.ops = append(b.ops, C.ts_op{off: C.uint64_t(len(b.data)), len: C.uint64_t(len(data)), kind: 0})
	b.data = append(b.data, data...)
}

// Delete adds a delete of row id. The commit fails with ErrNotFound if the
// row is absent then, and with ErrInvalidArg for a negative id.
func (b *Batch) Delete(id int64) {
	b.ops = append(b.ops, C.ts_op{id: C.int64_t(id), kind: 1})
}

// Len returns the number of operations in the batch.
func (b *Batch) Len() int { return len(b.ops) }

// Reset empties the batch, keeping its memory for reuse.
func (b *Batch) Reset() {
	b.data = b.data[:0]
	b.ops = b.ops[:0]
}
