//go:build !cgo

package toonstore

// The package is a cgo binding of the C library: without cgo it cannot be
// built. This undefined name makes the build say so.
var _ = toonstoreNeedsCgo_SetCGO_ENABLED1_AndInstallACCompiler
