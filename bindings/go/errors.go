package toonstore

// Error is the error every function of this package returns: the C error
// code, its name and the engine's message. Match it with errors.Is against
// the sentinels (ErrNotFound, ErrLocked, ...), which compare by Code:
//
//	if errors.Is(err, toonstore.ErrNotFound) { ... }
//
// or get the details with errors.As:
//
//	var te *toonstore.Error
//	if errors.As(err, &te) { log.Println(te.Name, te.Message) }
type Error struct {
	// Code is the negative TOONSTORE_ERR_* value of the C API.
	Code int
	// Name is the C name of Code, e.g. "TOONSTORE_ERR_LOCKED".
	Name string
	// Message is the engine's message for this failure (the path, the OS
	// error, the row id, ...), read on the thread that failed.
	Message string
}

// Error returns "toonstore: <message> (<NAME>)".
func (e *Error) Error() string {
	return "toonstore: " + e.Message + " (" + e.Name + ")"
}

// Is reports whether target is an *Error with the same Code, so that
// errors.Is(err, ErrLocked) holds for every locked error whatever its message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// The sentinel errors, one per C error code. Errors returned by this package
// are distinct values carrying the engine's message; errors.Is matches them
// to these by code.
var (
	// ErrInvalidArg (TOONSTORE_ERR_INVALID_ARG): a bad argument, such as a
	// negative row id or an invalid option.
	ErrInvalidArg = sentinel(codeInvalidArg)
	// ErrNotFound (TOONSTORE_ERR_NOT_FOUND): the row id was never assigned or
	// the row was deleted.
	ErrNotFound = sentinel(codeNotFound)
	// ErrIO (TOONSTORE_ERR_IO): the operating system reported an I/O error.
	ErrIO = sentinel(codeIO)
	// ErrCorrupt (TOONSTORE_ERR_CORRUPT): a file failed a checksum or
	// structural check.
	ErrCorrupt = sentinel(codeCorrupt)
	// ErrLocked (TOONSTORE_ERR_LOCKED): another process or handle has the
	// database open for writing.
	ErrLocked = sentinel(codeLocked)
	// ErrTooLarge (TOONSTORE_ERR_TOO_LARGE): a value or batch exceeds the
	// configured or format limit.
	ErrTooLarge = sentinel(codeTooLarge)
	// ErrReadOnly (TOONSTORE_ERR_READ_ONLY): a write on a read-only handle.
	ErrReadOnly = sentinel(codeReadOnly)
	// ErrVersion (TOONSTORE_ERR_VERSION): a format or struct version the
	// library does not know.
	ErrVersion = sentinel(codeVersion)
	// ErrNoMem (TOONSTORE_ERR_NOMEM): memory could not be allocated.
	ErrNoMem = sentinel(codeNoMem)
	// ErrInternal (TOONSTORE_ERR_INTERNAL): a bug in the library.
	ErrInternal = sentinel(codeInternal)
	// ErrClosed (TOONSTORE_ERR_CLOSED): the DB, snapshot or iterator was
	// closed.
	ErrClosed = sentinel(codeClosed)
	// ErrBufferTooSmall (TOONSTORE_ERR_BUFFER_TOO_SMALL): internal to the C
	// API's get_into; this package sizes its buffers itself and never
	// returns it.
	ErrBufferTooSmall = sentinel(codeBufferTooSmall)
	// ErrPoisoned (TOONSTORE_ERR_POISONED): an earlier fsync failed; writes
	// are refused until the database is reopened.
	ErrPoisoned = sentinel(codePoisoned)
	// ErrForked (TOONSTORE_ERR_FORKED): the handle was opened by a parent
	// process before a fork.
	ErrForked = sentinel(codeForked)
)

// errClosed is what a call on a closed DB, Snapshot or Iter returns: the
// same code and name the C library uses for a closed handle.
func errClosed(what string) error {
	return &Error{Code: ErrClosed.Code, Name: ErrClosed.Name, Message: "the " + what + " is closed"}
}

// errInvalid is a bad argument caught before calling C.
func errInvalid(msg string) error {
	return &Error{Code: ErrInvalidArg.Code, Name: ErrInvalidArg.Name, Message: msg}
}
