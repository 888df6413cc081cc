//! A Rust host that loads the built libtoonstore.so at run time through
//! abi_stable, as a plugin host would: the load checks the root module's
//! layout against the one this test was compiled with, then the test calls
//! open/put/get/delete/scan/sync/close through the module.
//!
//! It also shows the other half of the promise: a host compiled against a
//! *different* interface under the same module name is refused at load time
//! with abi_stable's `LibraryError::AbiInstability` (a description of the
//! mismatching field), not left to crash on the first call.
//!
//! The shared object is the one cargo built next to this test: `cargo test`
//! compiles the library with all its crate types (cdylib included) into
//! target/<profile>/, the parent of this executable's deps/ directory.

use std::ffi::{CStr, CString};
use std::path::PathBuf;

use abi_stable::library::{LibraryError, RootModule};
use toonstore::ffi::abi_stable_root::ToonStoreModRef;

/// target/<profile>/libtoonstore.so, found from this test executable.
fn built_library() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    // target/<profile>/deps/abi_stable_host-<hash>
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("the test runs from target/<profile>/deps");
    let lib = profile_dir.join("libtoonstore.so");
    assert!(
        lib.is_file(),
        "{} is missing. `cargo test` builds the cdylib next to the rlib; if you ran the test \
         binary by hand, run `cargo build --lib` (same profile) first",
        lib.display()
    );
    lib
}

fn temp_dir(label: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "toonstore-abi-host-{label}-{}-{:?}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn last_error(module: ToonStoreModRef) -> String {
    let p = module.last_error()();
    if p.is_null() {
        "none".into()
    } else {
        // SAFETY: the library returns a NUL-terminated string it owns,
        // valid until the next failing call on this thread.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

#[test]
fn loads_through_abi_stable_and_calls_through_the_module() {
    let path = built_library();
    let module = ToonStoreModRef::load_from_file(&path)
        .unwrap_or_else(|e| panic!("abi_stable refused {}: {e}", path.display()));

    assert_eq!(
        module.version_number()(),
        toonstore::ffi::TOONSTORE_VERSION_NUMBER
    );
    // SAFETY: strerror returns static NUL-terminated text.
    let text = unsafe { CStr::from_ptr(module.strerror()(toonstore::ffi::TOONSTORE_ERR_LOCKED)) };
    assert!(text.to_str().unwrap().contains("locked"), "{text:?}");

    let dir = temp_dir("calls");
    let c_dir = CString::new(dir.to_str().unwrap()).unwrap();
    // SAFETY: every call below follows the C contract of the function it
    // reaches: live handles, valid pointers and lengths, buffers freed once.
    unsafe {
        let db = module.open()(c_dir.as_ptr());
        assert!(!db.is_null(), "open: {}", last_error(module));

        let rows: [&[u8]; 3] = [b"users[1]{id,name}: 1,Alice", b"", b"third"];
        let mut ids = Vec::new();
        for row in rows {
            let id = module.put()(db, row.as_ptr(), row.len());
            assert!(id >= 0, "put: {id} {}", last_error(module));
            ids.push(id);
        }
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

        let mut data: *mut u8 = std::ptr::null_mut();
        let mut len = 0usize;
        assert_eq!(module.get()(db, ids[0], &mut data, &mut len), 0);
        assert_eq!(std::slice::from_raw_parts(data, len), rows[0]);
        module.free_buffer()(data);

        assert_eq!(module.delete()(db, ids[1]), 0);
        assert_eq!(
            module.delete()(db, ids[1]),
            toonstore::ffi::TOONSTORE_ERR_NOT_FOUND
        );
        assert_eq!(
            module.get()(db, ids[1], &mut data, &mut len),
            toonstore::ffi::TOONSTORE_ERR_NOT_FOUND
        );
        assert!(data.is_null());
        // Bad input through the module is an error code, not a crash.
        assert_eq!(
            module.get()(db, -1, &mut data, &mut len),
            toonstore::ffi::TOONSTORE_ERR_INVALID_ARG
        );
        assert!(
            last_error(module).contains("negative"),
            "{}",
            last_error(module)
        );
        assert_eq!(
            module.put()(std::ptr::null_mut(), b"x".as_ptr(), 1),
            i64::from(toonstore::ffi::TOONSTORE_ERR_INVALID_ARG)
        );

        let it = module.scan()(db);
        assert!(!it.is_null(), "scan: {}", last_error(module));
        let mut seen = Vec::new();
        let (mut id, mut row, mut row_len) = (0i64, std::ptr::null_mut::<u8>(), 0usize);
        while module.iter_next()(it, &mut id, &mut row, &mut row_len) == 1 {
            seen.push((id, std::slice::from_raw_parts(row, row_len).to_vec()));
        }
        assert_eq!(module.iter_next()(it, &mut id, &mut row, &mut row_len), 0);
        module.iter_free()(it);
        assert_eq!(
            seen,
            vec![(ids[0], rows[0].to_vec()), (ids[2], rows[2].to_vec())]
        );

        assert_eq!(module.sync()(db), 0);
        module.close()(db);
        module.close()(std::ptr::null_mut());

        // Reopen: the data is there.
        let db = module.open()(c_dir.as_ptr());
        assert!(!db.is_null(), "reopen: {}", last_error(module));
        assert_eq!(module.get()(db, ids[2], &mut data, &mut len), 0);
        assert_eq!(std::slice::from_raw_parts(data, len), b"third");
        module.free_buffer()(data);
        module.close()(db);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same module name ("toonstore") with a different interface: here the
/// first field returns `u64` where the library's returns `u32`, and `open`
/// takes one more argument. A host built like this must be refused.
mod mismatched {
    // The generated accessors are never called: loading this module must fail.
    #![allow(dead_code)]

    use abi_stable::library::RootModule;
    use abi_stable::sabi_types::VersionStrings;
    use abi_stable::{package_version_strings, StableAbi};
    use std::os::raw::{c_char, c_int};

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct DatabaseOpaque {
        _private: u8,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    pub struct IterOpaque {
        _private: u8,
    }

    #[repr(C)]
    #[derive(StableAbi)]
    #[sabi(kind(Prefix(prefix_ref = ToonStoreModRef)))]
    #[sabi(missing_field(panic))]
    pub struct ToonStoreMod {
        pub version_number: extern "C" fn() -> u64,
        pub strerror: extern "C" fn(c_int) -> *const c_char,
        pub last_error: extern "C" fn() -> *const c_char,
        pub open: unsafe extern "C" fn(*const c_char, u32) -> *mut DatabaseOpaque,
        pub close: unsafe extern "C" fn(*mut DatabaseOpaque),
        pub put: unsafe extern "C" fn(*mut DatabaseOpaque, *const u8, usize) -> i64,
        pub get: unsafe extern "C" fn(*mut DatabaseOpaque, i64, *mut *mut u8, *mut usize) -> c_int,
        pub free_buffer: unsafe extern "C" fn(*mut u8),
        pub delete: unsafe extern "C" fn(*mut DatabaseOpaque, i64) -> c_int,
        pub scan: unsafe extern "C" fn(*mut DatabaseOpaque) -> *mut IterOpaque,
        pub iter_next:
            unsafe extern "C" fn(*mut IterOpaque, *mut i64, *mut *mut u8, *mut usize) -> c_int,
        pub iter_free: unsafe extern "C" fn(*mut IterOpaque),
        #[sabi(last_prefix_field)]
        pub sync: unsafe extern "C" fn(*mut DatabaseOpaque) -> c_int,
    }

    impl RootModule for ToonStoreModRef {
        abi_stable::declare_root_module_statics! {ToonStoreModRef}
        const BASE_NAME: &'static str = "toonstore";
        const NAME: &'static str = "toonstore";
        const VERSION_STRINGS: VersionStrings = package_version_strings!();
    }
}

#[test]
fn a_mismatched_interface_is_refused_at_load_time() {
    let path = built_library();
    match mismatched::ToonStoreModRef::load_from_file(&path) {
        Ok(_) => panic!("abi_stable loaded a root module whose layout differs from the library's"),
        Err(err) => {
            let text = err.to_string();
            assert!(
                matches!(err, LibraryError::AbiInstability(_)),
                "expected LibraryError::AbiInstability, got: {text}"
            );
            // The report names what differs: the field, and the types.
            assert!(
                text.contains("field_name:version_number") && text.contains("mismatched type"),
                "the error should name the incompatible field and say why:\n{text}"
            );
            assert!(
                text.contains("field_name:open") && text.contains("too many fields"),
                "the error should also report open's extra parameter:\n{text}"
            );
        }
    }
    // The correct interface still loads afterwards from the same file.
    let ok = ToonStoreModRef::load_from_file(&path).expect("the matching interface loads");
    assert_eq!(
        ok.version_number()(),
        toonstore::ffi::TOONSTORE_VERSION_NUMBER
    );
}

#[test]
fn a_missing_library_is_a_clear_error() {
    // abi_stable caches the outcome of the first load per root module type,
    // and other tests of this binary load the real and the mismatched types:
    // probe with a type used by this test alone.
    let missing = temp_dir("missing").join("libtoonstore.so");
    match probe::ProbeModRef::load_from_file(&missing) {
        Ok(_) => panic!("loaded a library that does not exist"),
        Err(LibraryError::OpenError { path, .. }) => assert_eq!(path, missing),
        Err(other) => panic!("expected OpenError, got: {other}"),
    }
}

/// A root module type used only by `a_missing_library_is_a_clear_error`.
mod probe {
    #![allow(dead_code)]

    use abi_stable::library::RootModule;
    use abi_stable::sabi_types::VersionStrings;
    use abi_stable::{package_version_strings, StableAbi};

    #[repr(C)]
    #[derive(StableAbi)]
    #[sabi(kind(Prefix(prefix_ref = ProbeModRef)))]
    #[sabi(missing_field(panic))]
    pub struct ProbeMod {
        #[sabi(last_prefix_field)]
        pub version_number: extern "C" fn() -> u32,
    }

    impl RootModule for ProbeModRef {
        abi_stable::declare_root_module_statics! {ProbeModRef}
        const BASE_NAME: &'static str = "toonstore";
        const NAME: &'static str = "toonstore";
        const VERSION_STRINGS: VersionStrings = package_version_strings!();
    }
}
