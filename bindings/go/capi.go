package toonstore

// Glue between Go and the C side of the binding (shim.h, shim.c): the
// error codes, the conversion of a failed call into an *Error, and the
// byte-pointer helpers every file uses.

// #include <stdlib.h>
// #include "shim.h"
import "C"

import "unsafe"

// The C error codes (TOONSTORE_ERR_*), taken from the header.
const (
	codeInvalidArg     = C.TOONSTORE_ERR_INVALID_ARG
	codeNotFound       = C.TOONSTORE_ERR_NOT_FOUND
	codeIO             = C.TOONSTORE_ERR_IO
	codeCorrupt        = C.TOONSTORE_ERR_CORRUPT
	codeLocked         = C.TOONSTORE_ERR_LOCKED
	codeTooLarge       = C.TOONSTORE_ERR_TOO_LARGE
	codeReadOnly       = C.TOONSTORE_ERR_READ_ONLY
	codeVersion        = C.TOONSTORE_ERR_VERSION
	codeNoMem          = C.TOONSTORE_ERR_NOMEM
	codeInternal       = C.TOONSTORE_ERR_INTERNAL
	codeClosed         = C.TOONSTORE_ERR_CLOSED
	codeBufferTooSmall = C.TOONSTORE_ERR_BUFFER_TOO_SMALL
	codePoisoned       = C.TOONSTORE_ERR_POISONED
	codeForked         = C.TOONSTORE_ERR_FORKED
)

// sentinel builds the package-level error for a code; its Message is the
// library's static description of the code (toonstore_strerror).
func sentinel(code C.int) *Error {
	return &Error{
		Code:    int(code),
		Name:    C.GoString(C.ts_error_name(code)),
		Message: C.GoString(C.toonstore_strerror(code)),
	}
}

// errorFrom turns a failed helper result into an *Error and releases the
// message copy.
func errorFrom(code C.int, msg *C.char, name *C.char) error {
	e := &Error{Code: int(code), Name: C.GoString(name)}
	if msg != nil {
		e.Message = C.GoString(msg)
		C.toonstore_free_string(msg)
	} else {
		e.Message = C.GoString(C.toonstore_strerror(code))
	}
	return e
}

func resErr(r C.ts_res) error { return errorFrom(r.code, r.msg, r.name) }

// bytesPtr is the address of b's first byte for C, or nil for an empty b
// (the library accepts NULL with length 0).
func bytesPtr(b []byte) *C.uint8_t {
	if len(b) == 0 {
		return nil
	}
	return (*C.uint8_t)(unsafe.Pointer(&b[0]))
}

// cBytes views n bytes of C memory at p as a Go slice without copying; the
// caller copies out of it while the memory is guaranteed alive.
func cBytes(p *C.uint8_t, n C.size_t) []byte {
	if n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(p)), int(n))
}

// cgoNoop makes one cgo call that passes db's handle and does nothing: the
// allocation test's baseline, what such a call itself allocates with the
// toolchain at hand (nothing with current Go; one 8-byte allocation with
// Go 1.19, in cgo's pointer check of the handle argument).
func cgoNoop(db *DB) { C.ts_noop(db.c) }
