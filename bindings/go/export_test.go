package toonstore

// CgoNoop exposes cgoNoop to the external tests (alloc_test.go).
var CgoNoop = cgoNoop
