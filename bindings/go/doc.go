// Package toonstore is the Go binding of ToonStore, an embedded row
// database: rows of bytes, each with an int64 row id the database assigns
// (increasing from 0, never reused), stored in one directory.
//
// It is a cgo binding over the installed C library (libtoonstore,
// toonstore.h), found with pkg-config (toonstore.pc); build with
// -tags toonstore_static to link libtoonstore.a instead
// (toonstore-static.pc) and get a binary without a run-time dependency on
// the shared library.
//
//	db, err := toonstore.Open("/path/to/db")
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//
//	id, err := db.Put([]byte("users[1]{id,name}: 1,Alice"))
//	data, err := db.Get(id) // errors.Is(err, toonstore.ErrNotFound) when absent
//
//	it := db.Scan()
//	defer it.Close()
//	for it.Next() {
//		id, data := it.Value()
//		...
//	}
//	if err := it.Err(); err != nil { ... }
//
// A DB and a Snapshot are safe for concurrent use by many goroutines; an
// Iter and a Batch belong to one goroutine at a time. Every []byte the
// package returns is the caller's own, except Iter.ValueRef's. Every error
// is an *Error carrying the C error code, its name (TOONSTORE_ERR_LOCKED,
// ...) and the engine's message; match it with errors.Is against ErrNotFound,
// ErrLocked, ErrCorrupt, ErrClosed, ....
//
// Each operation is one cgo call (see docs/go/README.md in the repository
// for which calls take a second one, and the design).
package toonstore
