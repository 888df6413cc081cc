//go:build toonstore_static

package toonstore

// With `-tags toonstore_static` the package links libtoonstore.a through
// toonstore-static.pc, which names the archive by path (so the shared
// library beside it is never picked) plus the system libraries the Rust
// standard library needs: the program has no run-time dependency on
// libtoonstore.so.

// #cgo pkg-config: toonstore-static
import "C"
