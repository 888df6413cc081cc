//! Gives the shared library its SONAME, `libtoonstore.so.<ABI major>`.
//!
//! A plain cargo cdylib has no SONAME, so programs linked against it would
//! record the bare file name and could not tell ABI generations apart. The
//! ABI major follows the crate's major version (1 for every 1.x release; the
//! C API contract promises 1.x-compatibility), so the SONAME is
//! `libtoonstore.so.1`.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").expect("cargo sets the version");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" || target_os == "freebsd" || target_os == "android" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libtoonstore.so.{major}");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
