package toonstore

// #include <stdlib.h>
// #include "shim.h"
import "C"

import "unsafe"

// Backup writes a complete, consistent copy of the database as of one
// moment into the directory dest, while other goroutines and processes keep
// writing (an online backup, like sqlite3_backup or mdb_env_copy). dest
// must not exist, or be an empty directory; the copy appears there in one
// rename, so a backup that fails or is killed midway leaves nothing at dest.
// The copy opens on its own with every row of that moment under the same
// ids. On a read-only DB the copy is of that handle's state (as of its open
// or its last Refresh).
//
// Errors: ErrInvalidArg when dest exists and is not an empty directory (or
// is this database), ErrIO when it cannot be written, ErrClosed.
func (db *DB) Backup(dest string) error {
	cdest, err := cString(dest)
	if err != nil {
		return err
	}
	defer C.free(unsafe.Pointer(cdest))
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return errClosed("database")
	}
	if r := C.ts_backup(db.c, cdest); r.code != 0 {
		return resErr(r)
	}
	return nil
}

// Refresh moves a read-only DB to the writer's latest acknowledged state:
// afterwards it sees every row whose Put had returned in the writing process
// (in any durability mode) before the call. A read-only open sees the
// database as of its open until it is refreshed; snapshots and iterators
// taken before keep their state. On a writable DB, and on a read-only DB
// that shares a writable one in this process (which always see the latest
// state), it does nothing.
//
// Errors: ErrClosed, and those of a read-only open (ErrIO, ErrCorrupt,
// ErrLocked when a writer kept replacing the files); the DB keeps its state.
func (db *DB) Refresh() error {
	db.mu.RLock()
	defer db.mu.RUnlock()
	if db.c == nil {
		return errClosed("database")
	}
	if r := C.ts_refresh(db.c); r.code != 0 {
		return resErr(r)
	}
	return nil
}
