//go:build !toonstore_static

package toonstore

// The default build links the installed shared library found through
// pkg-config (toonstore.pc): set PKG_CONFIG_PATH to <prefix>/lib/pkgconfig
// and, at run time, LD_LIBRARY_PATH (or an rpath) to <prefix>/lib when the
// prefix is not a system one.

// #cgo pkg-config: toonstore
import "C"
