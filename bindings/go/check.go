package toonstore

// #include <stdlib.h>
// #include "shim.h"
import "C"

import "unsafe"

// CheckReport is what Check found.
type CheckReport struct {
	HasCheckpoint bool   // an index checkpoint exists (and was verified)
	Segments      uint64 // segment files walked
	Records       uint64 // records whose checksum was verified
	LiveRows      uint64 // live rows read back through the index
	FirstProblem  string // the first problem found (file and offset); empty when healthy
}

// Check verifies every record and the checkpoint of the database in
// directory path, which no process may have open for writing (readers may).
// A damaged database gives the report and an error matching ErrCorrupt
// (its message is FirstProblem); a check that could not run gives
// ErrLocked, ErrIO, ... and an empty report.
func Check(path string) (CheckReport, error) {
	cpath, err := cString(path)
	if err != nil {
		return CheckReport{}, err
	}
	defer C.free(unsafe.Pointer(cpath))
	c := C.ts_check(cpath)
	rep := CheckReport{
		HasCheckpoint: c.rep.has_checkpoint != 0,
		Segments:      uint64(c.rep.segments),
		Records:       uint64(c.rep.records),
		LiveRows:      uint64(c.rep.live_rows),
		FirstProblem:  C.GoString(&c.rep.first_problem[0]),
	}
	if c.r.code != 0 {
		return rep, resErr(c.r)
	}
	return rep, nil
}

// Version returns the version of the C library the program runs with,
// "MAJOR.MINOR.PATCH".
func Version() string {
	return C.GoString(C.toonstore_version())
}

// HeaderVersion is the version of the C header the package was compiled
// against; compare it with Version to detect a mismatched library.
const HeaderVersion = C.TOONSTORE_VERSION_STRING
