//! The committed `include/toonstore.h` must be exactly what cbindgen makes of
//! `src/ffi` today. Regenerate with `scripts/gen-header.sh` (which runs this
//! test with `TOONSTORE_BLESS=1`).

use std::path::Path;

#[test]
fn committed_header_matches_the_source() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let config = cbindgen::Config::from_file(root.join("cbindgen.toml")).expect("cbindgen.toml");
    let mut generated = Vec::new();
    cbindgen::Builder::new()
        .with_crate(root)
        .with_config(config)
        .generate()
        .expect("cbindgen could not read src/ffi")
        .write(&mut generated);
    let path = root.join("include/toonstore.h");
    if std::env::var_os("TOONSTORE_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "include/toonstore.h is stale: run scripts/gen-header.sh and commit the result"
    );
}
