//! Runs the built `toonstore` binary: every subcommand and every exit code.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;
use toonstore::{Options, ToonStore};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_toonstore"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run toonstore")
}

fn run_in(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = bin()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn toonstore");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A database with rows 0..=4 where rows 1 and 3 are deleted, rows holding
/// NULs, newlines and high bytes, and one more id deleted at the end (5),
/// so next_row_id (6) is above the last live id.
fn sample(dir: &TempDir) -> PathBuf {
    let db = dir.path().join("db");
    let rows: [&[u8]; 6] = [
        b"zero",
        b"one",
        b"a\0b\nc\r\t\\\xff",
        b"three",
        b"",
        b"five",
    ];
    for (i, r) in rows.iter().enumerate() {
        let o = run_in(&["put", s(&db), "-"], r);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(o.stdout, format!("{i}\n").as_bytes());
    }
    for id in ["1", "3", "5"] {
        let o = run(&["delete", s(&db), id]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    db
}

#[test]
fn put_get_delete_and_missing_rows() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let o = run(&["get", s(&db), "2"]);
    assert_eq!(code(&o), 0);
    assert_eq!(o.stdout, b"a\0b\nc\r\t\\\xff");
    let o = run(&["get", s(&db), "4"]);
    assert_eq!((code(&o), o.stdout.len()), (0, 0));
    // DATA given as an argument.
    let o = run(&["put", s(&db), "plain text"]);
    assert_eq!(o.stdout, b"6\n");
    assert_eq!(run(&["get", s(&db), "6"]).stdout, b"plain text");
    // Missing rows: exit 1 with the C error name.
    for args in [
        ["get", s(&db), "1"],
        ["get", s(&db), "99"],
        ["delete", s(&db), "3"],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 1, "{args:?}");
        let e = stderr(&o);
        assert!(
            e.starts_with(&format!("toonstore: {}: ", db.display())),
            "{e}"
        );
        assert_eq!(
            e,
            format!(
                "toonstore: {}: row {} not found (TOONSTORE_ERR_NOT_FOUND)\n",
                db.display(),
                args[2]
            )
        );
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    // Usage errors: one line naming the cause and where the usage is.
    for (args, cause, help) in [
        (
            vec!["get", s(&db)],
            "required arguments were not provided: <ID>",
            "toonstore get --help",
        ),
        (
            vec!["get", s(&db), "notanumber"],
            "invalid value 'notanumber' for '<ID>'",
            "toonstore get --help",
        ),
        (
            vec!["frobnicate"],
            "unrecognized subcommand 'frobnicate'",
            "toonstore --help",
        ),
        (
            vec!["scan", s(&db), "--limit", "-3"],
            "unexpected argument '-3'",
            "toonstore scan --help",
        ),
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}");
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "{args:?}: {e}");
        assert!(e.starts_with("toonstore: "), "{args:?}: {e}");
        assert!(e.contains(cause), "{args:?}: {e}");
        assert!(e.trim_end().ends_with(&format!("(see '{help}')")), "{e}");
        assert!(o.stdout.is_empty());
    }
    // No subcommand: the usage, as help, on stderr; exit 2.
    let o = run(&[]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("Usage: toonstore <COMMAND>"));
    // A path without a database: one line, exit 2, nothing created.
    let missing = dir.path().join("nope");
    let dest = dir.path().join("dest");
    for args in [
        vec!["stat", s(&missing)],
        vec!["check", s(&missing)],
        vec!["get", s(&missing), "0"],
        vec!["delete", s(&missing), "0"],
        vec!["scan", s(&missing)],
        vec!["dump", s(&missing)],
        vec!["compact", s(&missing)],
        vec!["backup", s(&missing), s(&dest)],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert_eq!(
            stderr(&o),
            format!(
                "toonstore: {}: no database directory at this path\n",
                missing.display()
            ),
            "{args:?}"
        );
    }
    assert!(!missing.exists() && !dest.exists());
    // A directory that is not a database: refused by every command that
    // does not create one, and left as it was (no LOCK file appears).
    let plain = dir.path().join("plain");
    std::fs::create_dir(&plain).unwrap();
    std::fs::write(plain.join("notes.txt"), b"x").unwrap();
    for args in [
        vec!["stat", s(&plain)],
        vec!["check", s(&plain)],
        vec!["get", s(&plain), "0"],
        vec!["delete", s(&plain), "0"],
        vec!["scan", s(&plain)],
        vec!["dump", s(&plain)],
        vec!["compact", s(&plain)],
        vec!["backup", s(&plain), s(&dest)],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}");
        assert_eq!(
            stderr(&o),
            format!(
                "toonstore: {}: not a ToonStore database (the directory has no LOCK or segment files)\n",
                plain.display()
            ),
            "{args:?}"
        );
    }
    let names: Vec<_> = std::fs::read_dir(&plain)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["notes.txt"]);
}

#[test]
fn help_of_every_subcommand() {
    for sub in [
        "stat", "check", "get", "put", "delete", "scan", "dump", "load", "compact", "backup",
    ] {
        let o = run(&[sub, "--help"]);
        assert_eq!(code(&o), 0, "{sub}");
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.contains("Usage: toonstore"), "{sub}: {text}");
        assert!(text.contains("Exit codes:"), "{sub}: {text}");
        let lock = match sub {
            "put" | "delete" | "load" | "compact" => "needs the write lock",
            _ => "opens read-only",
        };
        assert!(text.contains(lock), "{sub}: {text}");
    }
    let o = run(&["--help"]);
    let text = String::from_utf8(o.stdout).unwrap();
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("put, delete, compact and load need the write lock"));
    assert!(words.contains("work while another process writes to it"));
    assert!(text.contains("docs/cli.md"));
}

/// A closed stdout (`| head`) ends a command quietly, with exit 0 and no
/// panic message, after the work is done.
#[test]
fn closed_stdout_is_quiet() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let big = "x".repeat(1 << 16);
    for _ in 0..20 {
        assert_eq!(code(&run(&["put", s(&db), &big])), 0);
    }
    for args in [
        vec!["put", s(&db), "after"],
        vec!["scan", s(&db)],
        vec!["dump", s(&db)],
        vec!["get", s(&db), "6"],
        vec!["stat", s(&db)],
    ] {
        let mut child = bin()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away at once
        let o = child.wait_with_output().unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(o.stderr.is_empty(), "{args:?}: {}", stderr(&o));
    }
    // The put went through although its id could not be printed.
    assert_eq!(run(&["get", s(&db), "26"]).stdout, b"after");
}

#[test]
fn stat_text_and_json() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let o = run(&["stat", s(&db), "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["live_rows"], 3);
    assert_eq!(v["deleted_rows"], 3);
    assert_eq!(v["next_row_id"], 6);
    assert_eq!(v["segment_count"], 1);
    assert_eq!(v["format_version"], 1);
    assert!(v["garbage_fraction"].as_f64().unwrap() > 0.0);
    assert!(v["disk_bytes"].as_u64().unwrap() > 0);
    let text = String::from_utf8(run(&["stat", s(&db)]).stdout).unwrap();
    assert!(text.contains("live_rows         3\n"), "{text}");
    assert!(text.contains("next_row_id       6\n"), "{text}");
}

#[test]
fn scan_text_raw_from_limit() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let o = run(&["scan", s(&db)]);
    assert_eq!(code(&o), 0);
    assert_eq!(o.stdout, b"0\tzero\n2\ta\\x00b\\nc\\r\\t\\\\\\xff\n4\t\n");
    let o = run(&["scan", s(&db), "--from", "1", "--limit", "1"]);
    assert_eq!(o.stdout, b"2\ta\\x00b\\nc\\r\\t\\\\\\xff\n");
    let o = run(&["scan", s(&db), "--from", "3", "--raw"]);
    let mut want = 4u64.to_le_bytes().to_vec();
    want.extend_from_slice(&0u64.to_le_bytes());
    assert_eq!(o.stdout, want);
    assert_eq!(run(&["scan", s(&db), "--limit", "0"]).stdout, b"");
    // --to (exclusive) and --reverse; --limit counts in the walk's order.
    let row2 = "2\ta\\x00b\\nc\\r\\t\\\\\\xff\n";
    let o = run(&["scan", s(&db), "--reverse"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("4\t\n{row2}0\tzero\n")
    );
    let o = run(&["scan", s(&db), "--to", "4"]);
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("0\tzero\n{row2}")
    );
    let o = run(&["scan", s(&db), "--reverse", "--limit", "1"]);
    assert_eq!(o.stdout, b"4\t\n");
    let o = run(&[
        "scan",
        s(&db),
        "--from",
        "1",
        "--to",
        "5",
        "--reverse",
        "--limit",
        "1",
    ]);
    assert_eq!(o.stdout, b"4\t\n");
    let o = run(&[
        "scan",
        s(&db),
        "--from",
        "1",
        "--to",
        "4",
        "--reverse",
        "--raw",
    ]);
    let mut want = 2u64.to_le_bytes().to_vec();
    want.extend_from_slice(&9u64.to_le_bytes());
    want.extend_from_slice(b"a\0b\nc\r\t\\\xff");
    assert_eq!(o.stdout, want);
    assert_eq!(
        run(&["scan", s(&db), "--from", "2", "--to", "2"]).stdout,
        b""
    );
    // An inverted range is a usage error: one line, exit 2, nothing listed.
    let o = run(&["scan", s(&db), "--from", "4", "--to", "2"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        format!(
            "toonstore: {}: scan: --to 2 is below --from 4 (TOONSTORE_ERR_INVALID_ARG)\n",
            db.display()
        )
    );
    assert!(o.stdout.is_empty());
}

fn dump_of(db: &Path) -> Vec<u8> {
    let o = run(&["dump", s(db)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "no progress into a pipe");
    o.stdout
}

#[test]
fn dump_load_dump_is_identical_with_gaps_and_binary_rows() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let d1 = dump_of(&db);
    assert!(d1.starts_with(b"TOONDUMP\x01\0\0\0\x06\0\0\0\0\0\0\0"));
    // load from stdin into a new database
    let copy = dir.path().join("copy");
    let o = run_in(&["load", s(&copy)], &d1);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // stderr is a pipe here: no progress bar is drawn, nothing is printed.
    assert!(o.stderr.is_empty() && o.stdout.is_empty());
    assert_eq!(dump_of(&copy), d1);
    // same ids, same bytes, same next id
    assert_eq!(run(&["get", s(&copy), "2"]).stdout, b"a\0b\nc\r\t\\\xff");
    assert_eq!(code(&run(&["get", s(&copy), "1"])), 1);
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["stat", s(&copy), "--json"]).stdout).unwrap();
    assert_eq!(
        (v["live_rows"].as_u64(), v["next_row_id"].as_u64()),
        (Some(3), Some(6))
    );
    assert_eq!(run(&["put", s(&copy), "next"]).stdout, b"6\n");
    // load from a file argument
    let file = dir.path().join("dump.bin");
    std::fs::write(&file, &d1).unwrap();
    let copy2 = dir.path().join("copy2");
    assert_eq!(code(&run(&["load", s(&copy2), s(&file)])), 0);
    assert_eq!(dump_of(&copy2), d1);
    // An empty input is not a dump.
    let o = run_in(&["load", s(&dir.path().join("e"))], b"");
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("not a toonstore dump"),
        "{}",
        stderr(&o)
    );
    // An empty database round-trips too.
    let empty = dir.path().join("empty");
    ToonStore::open(&empty).unwrap().close().unwrap();
    let d0 = dump_of(&empty);
    let empty2 = dir.path().join("empty2");
    assert_eq!(code(&run_in(&["load", s(&empty2)], &d0)), 0);
    assert_eq!(dump_of(&empty2), d0);
}

#[test]
fn load_spans_several_chunks() {
    // More rows and gaps than one load chunk (4096 operations).
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("db");
    {
        let store = ToonStore::open(&db).unwrap();
        for i in 0u32..10_000 {
            store.put(&i.to_le_bytes()).unwrap();
        }
        for i in (0..10_000).filter(|i| i % 3 != 0 || *i > 9_000) {
            store.delete(i).unwrap();
        }
        store.close().unwrap();
    }
    let d1 = dump_of(&db);
    let copy = dir.path().join("copy");
    assert_eq!(code(&run_in(&["load", s(&copy)], &d1)), 0);
    assert_eq!(dump_of(&copy), d1);
    let store = ToonStore::open(&copy).unwrap();
    assert_eq!(
        store.get(2_997).unwrap(),
        Some(2_997u32.to_le_bytes().to_vec())
    );
    assert_eq!(store.get(2_998).unwrap(), None);
    assert_eq!(store.stats().unwrap().next_row_id, 10_000);
}

#[test]
fn load_refuses_bad_dumps_and_non_empty_targets() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let d1 = dump_of(&db);
    let mut altered = d1.clone();
    // The first data byte of row 0: header (20) + tag, id, length (17).
    assert_eq!(altered[37], b'z');
    altered[37] ^= 0x01;
    let mut extra = d1.clone();
    extra.push(0);
    let cases: [(&str, &[u8], &str); 5] = [
        ("truncated", &d1[..d1.len() - 3], "truncated"),
        ("cut mid-row", &d1[..30], "truncated"),
        ("altered", &altered, "checksum mismatch"),
        ("trailing bytes", &extra, "after the dump's trailer"),
        (
            "not a dump",
            b"hello world, this is not a dump",
            "not a toonstore dump",
        ),
    ];
    for (name, bytes, msg) in cases {
        let target = dir.path().join(name.replace(' ', "_"));
        let o = run_in(&["load", s(&target)], bytes);
        assert_eq!(code(&o), 2, "{name}");
        assert!(stderr(&o).contains(msg), "{name}: {}", stderr(&o));
        assert!(!target.exists(), "{name}: nothing may be created");
    }
    // Into a non-empty database: refused, nothing changed.
    let o = run_in(&["load", s(&db)], &d1);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    assert_eq!(dump_of(&db), d1);
}

#[test]
fn compact_keeps_rows_and_drops_garbage() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let before = dump_of(&db);
    let o = run(&["compact", s(&db)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("compacted:"));
    assert!(o.stderr.is_empty(), "no progress into a pipe");
    assert_eq!(dump_of(&db), before);
    let v: serde_json::Value =
        serde_json::from_slice(&run(&["stat", s(&db), "--json"]).stdout).unwrap();
    assert_eq!(v["garbage_fraction"].as_f64(), Some(0.0));
}

#[test]
fn backup_copies_and_refuses_an_existing_destination() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let dest = dir.path().join("dest");
    let o = run(&["backup", s(&db), s(&dest)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        format!("backup: {}: live_rows 3, next_row_id 6\n", dest.display())
    );
    assert!(o.stderr.is_empty(), "no progress into a pipe");
    assert_eq!(dump_of(&dest), dump_of(&db));
    assert_eq!(code(&run(&["check", s(&dest)])), 0);
    // The copy is a database of its own: it takes writes; the source is unchanged.
    assert_eq!(run(&["put", s(&dest), "more"]).stdout, b"6\n");
    assert_eq!(code(&run(&["get", s(&db), "6"])), 1);
    // An existing destination is refused and left alone: one line, exit 2,
    // naming the database, the destination and the cause.
    let before = dump_of(&dest);
    let o = run(&["backup", s(&db), s(&dest)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let e = stderr(&o);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(
        e.starts_with(&format!(
            "toonstore: {}: backup to {} failed: ",
            db.display(),
            dest.display()
        )),
        "{e}"
    );
    assert!(e.contains("TOONSTORE_ERR_"), "{e}");
    assert_eq!(dump_of(&dest), before);
}

#[test]
fn check_healthy_and_damaged() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let o = run(&["check", s(&db)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("ok: 1 segments"));
    assert!(o.stderr.is_empty(), "no progress into a pipe");
    let o = run(&["check", s(&db), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["live_rows"].as_u64()),
        (Some(true), Some(3))
    );
    assert_eq!(v["problems"].as_array().map(Vec::len), Some(0));
    assert_eq!(v["beside_writer"].as_bool(), Some(false));

    // Flip a byte inside the first record of the (only) segment.
    let seg = std::fs::read_dir(&db)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "seg"))
        .unwrap();
    let mut bytes = std::fs::read(&seg).unwrap();
    bytes[64 + 20] ^= 0xff;
    std::fs::write(&seg, &bytes).unwrap();
    let o = run(&["check", s(&db)]);
    assert_eq!(code(&o), 1, "{}", String::from_utf8_lossy(&o.stdout));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("PROBLEMS"), "{out}");
    assert!(out.contains("problem: file "), "{out}");
    let o = run(&["check", s(&db), "--json"]);
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"].as_bool(), Some(false));
    let p = &v["problems"][0];
    assert!(p["message"].as_str().unwrap().contains("corrupt"), "{v}");
    assert!(p["file"].as_str().unwrap().ends_with(".seg"), "{v}");
    assert!(p["offset"].as_u64().is_some(), "{v}");
    // The other commands refuse the damaged database: one line naming it
    // and the cause, exit 2, nothing on stdout.
    for args in [
        vec!["stat", s(&db)],
        vec!["get", s(&db), "0"],
        vec!["scan", s(&db)],
        vec!["dump", s(&db)],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        let e = stderr(&o);
        assert_eq!(e.lines().count(), 1, "{e}");
        assert!(
            e.starts_with(&format!("toonstore: {}: ", db.display())),
            "{e}"
        );
        assert!(e.contains("TOONSTORE_ERR_CORRUPT"), "{args:?}: {e}");
        assert!(o.stdout.is_empty(), "{args:?}");
    }
}

/// Beside a writer, check walks a consistent copy of the database and
/// reports damage in the database's own files, at the same offsets.
#[test]
fn check_finds_damage_beside_a_writer() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    // After compact the rows are covered by an index checkpoint, so opening
    // the database does not read them again: only the walk finds the damage.
    assert_eq!(code(&run(&["compact", s(&db)])), 0);
    // The compacted segment: the one that holds row 0's bytes.
    let seg = std::fs::read_dir(&db)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .find(|p| std::fs::read(p).unwrap().windows(4).any(|w| w == b"zero"))
        .unwrap();
    let seg = &seg;
    let mut bytes = std::fs::read(seg).unwrap();
    bytes[64 + 20] ^= 0xff;
    std::fs::write(seg, &bytes).unwrap();
    let alone = run(&["check", s(&db), "--json"]);
    assert_eq!(code(&alone), 1, "{}", stderr(&alone));
    let alone: serde_json::Value = serde_json::from_slice(&alone.stdout).unwrap();

    let holder = ToonStore::open(&db).unwrap();
    let o = run(&["check", s(&db), "--json"]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["beside_writer"].as_bool(), Some(true), "{v}");
    let (p, q) = (&v["problems"][0], &alone["problems"][0]);
    assert_eq!(p["file"], q["file"], "{v}\n{alone}");
    assert_eq!(p["offset"], q["offset"], "{v}\n{alone}");
    assert_eq!(p["message"], q["message"], "{v}\n{alone}");
    assert!(
        p["file"].as_str().unwrap().starts_with(s(&db)),
        "names the database's file: {v}"
    );
    let o = run(&["check", s(&db)]);
    assert_eq!(code(&o), 1);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("PROBLEMS"), "{out}");
    assert!(
        out.contains(&format!("problem: file {}", seg.display())),
        "{out}"
    );
    holder.close().unwrap();
    // Nothing of the copy is left behind beside the database.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["db"], "{names:?}");
}

/// Another process (this test process, to the tool) holds the write lock.
#[test]
fn writer_elsewhere_holds_the_lock() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let holder = ToonStore::open_with(&db, &Options::default()).unwrap();
    for args in [
        vec!["put", s(&db), "x"],
        vec!["delete", s(&db), "0"],
        vec!["compact", s(&db)],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 3, "{args:?}");
        let e = stderr(&o);
        assert_eq!(
            e,
            format!(
                "toonstore: {}: {} needs the write lock, which another process holds (TOONSTORE_ERR_LOCKED)\n",
                db.display(),
                args[0]
            )
        );
    }
    let dump = {
        let other = dir.path().join("other");
        assert_eq!(code(&run(&["put", s(&other), "x"])), 0);
        dump_of(&other)
    };
    let o = run_in(&["load", s(&db)], &dump);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(
            "load needs the write lock, which another process holds (TOONSTORE_ERR_LOCKED)"
        ),
        "{}",
        stderr(&o)
    );
    // The read-only commands work beside the writer.
    let dest = dir.path().join("dest");
    for args in [
        vec!["stat", s(&db)],
        vec!["get", s(&db), "0"],
        vec!["scan", s(&db)],
        vec!["dump", s(&db)],
        vec!["check", s(&db)],
        vec!["backup", s(&db), s(&dest)],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(!o.stdout.is_empty() && o.stderr.is_empty(), "{args:?}");
    }
    assert_eq!(dump_of(&dest), dump_of(&db));
    holder.close().unwrap();
    assert_eq!(code(&run(&["put", s(&db), "x"])), 0);
}

/// Runs `toonstore ARGS > out` on a pseudo-terminal from util-linux's
/// `script` (part of every Debian system): returns what the terminal showed
/// and the exit code.
fn on_terminal(args: &[&str], out: &Path) -> (String, i32) {
    let quoted: Vec<String> = args.iter().map(|a| format!("'{a}'")).collect();
    let command = format!(
        "'{}' {} > '{}'",
        env!("CARGO_BIN_EXE_toonstore"),
        quoted.join(" "),
        out.display()
    );
    let o = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(Stdio::null())
        .output()
        .expect("run script(1) from util-linux");
    (String::from_utf8_lossy(&o.stdout).into_owned(), code(&o))
}

/// On a terminal dump, load, check and compact draw progress on stderr,
/// and stdout still carries only the data. (The same commands draw nothing
/// into a pipe: the tests above assert an empty stderr for each.)
#[test]
fn progress_on_a_terminal_only() {
    let dir = TempDir::new().unwrap();
    let db = sample(&dir);
    let out = dir.path().join("out");
    let (shown, c) = on_terminal(&["dump", s(&db)], &out);
    assert_eq!(c, 0, "{shown}");
    assert!(shown.contains("dumping"), "{shown:?}");
    assert!(shown.contains("3/3 rows"), "{shown:?}");
    let dump = std::fs::read(&out).unwrap();
    assert_eq!(dump, dump_of(&db));
    let file = dir.path().join("db.dump");
    std::fs::write(&file, &dump).unwrap();
    let copy = dir.path().join("copy");
    let (shown, c) = on_terminal(&["load", s(&copy), s(&file)], &out);
    assert_eq!(c, 0, "{shown}");
    assert!(shown.contains("verifying"), "{shown:?}");
    assert!(shown.contains("loading"), "{shown:?}");
    assert_eq!(std::fs::read(&out).unwrap(), b"");
    assert_eq!(dump_of(&copy), dump);
    let (shown, c) = on_terminal(&["check", s(&db)], &out);
    assert_eq!(c, 0, "{shown}");
    assert!(shown.contains("checking"), "{shown:?}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"ok: "));
    let (shown, c) = on_terminal(&["compact", s(&db)], &out);
    assert_eq!(c, 0, "{shown}");
    assert!(shown.contains("compacting"), "{shown:?}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"compacted: "));
    let dest = dir.path().join("dest");
    let (shown, c) = on_terminal(&["backup", s(&db), s(&dest)], &out);
    assert_eq!(c, 0, "{shown}");
    assert!(shown.contains("backing up"), "{shown:?}");
    assert!(std::fs::read(&out).unwrap().starts_with(b"backup: "));
    assert_eq!(dump_of(&dest), dump);
}

/// A writer process that keeps putting `row i` at id `i`
/// (cli/examples/live_writer.rs, built by `cargo test` with the tests),
/// stopped when dropped.
struct LiveWriter {
    child: std::process::Child,
    acked: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl LiveWriter {
    const NONE: u64 = u64::MAX;

    /// Starts the writer on `db` and waits until it has acknowledged 1000 rows.
    fn start(db: &Path) -> LiveWriter {
        use std::io::BufRead;
        use std::sync::atomic::{AtomicU64, Ordering};
        // target/<profile>/deps/<this test> -> target/<profile>/examples/live_writer
        let exe = std::env::current_exe().unwrap();
        let example = exe
            .parent()
            .and_then(Path::parent)
            .unwrap()
            .join("examples/live_writer");
        let mut child = Command::new(&example)
            .arg(db)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", example.display()));
        let acked = std::sync::Arc::new(AtomicU64::new(Self::NONE));
        let out = child.stdout.take().unwrap();
        let report = std::sync::Arc::clone(&acked);
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(out).lines() {
                let line = line.unwrap();
                let n: u64 = line.strip_prefix("acked ").unwrap().parse().unwrap();
                report.store(n, Ordering::SeqCst);
            }
        });
        let w = LiveWriter { child, acked };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while w.acked().is_none_or(|n| n < 1000) {
            assert!(
                std::time::Instant::now() < deadline,
                "the writer never got going"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        w
    }

    /// The highest id the writer has reported acknowledged.
    fn acked(&self) -> Option<u64> {
        let n = self.acked.load(std::sync::atomic::Ordering::SeqCst);
        (n != Self::NONE).then_some(n)
    }

    /// Ends the writer (end of its stdin) and checks it exited cleanly.
    fn stop(mut self) {
        drop(self.child.stdin.take());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "writer: {status}");
    }
}

impl Drop for LiveWriter {
    fn drop(&mut self) {
        if self.child.stdin.is_some() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Checks `scan` text output of a database the live writer filled: ids
/// dense from 0 in order, row `i` is `row i`, at least `at_least` rows.
fn assert_writer_rows(scan: &[u8], at_least: u64) {
    let text = std::str::from_utf8(scan).unwrap();
    let mut n = 0u64;
    for line in text.lines() {
        assert_eq!(line, format!("{n}\trow {n}"));
        n += 1;
    }
    assert!(n >= at_least, "{n} rows, expected at least {at_least}");
}

/// Every read-only command works on a database another process has open
/// for writing and keeps writing to, and sees every row acknowledged before
/// it started; the commands that write are refused with exit 3.
#[test]
fn beside_a_live_writer() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("db");
    let w = LiveWriter::start(&db);
    let first = w.acked().unwrap();

    let acked = w.acked().unwrap() + 1;
    let o = run(&["stat", s(&db), "--json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let live = v["live_rows"].as_u64().unwrap();
    assert!(live >= acked, "{v}");
    assert_eq!(
        (v["deleted_rows"].as_u64(), v["next_row_id"].as_u64()),
        (Some(0), Some(live))
    );

    let id = w.acked().unwrap();
    let o = run(&["get", s(&db), &id.to_string()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(o.stdout, format!("row {id}").as_bytes());

    let acked = w.acked().unwrap() + 1;
    let o = run(&["scan", s(&db)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_writer_rows(&o.stdout, acked);
    let o = run(&["scan", s(&db), "--from", &id.to_string(), "--limit", "1"]);
    assert_eq!(o.stdout, format!("{id}\trow {id}\n").as_bytes());

    let acked = w.acked().unwrap() + 1;
    let o = run(&["check", s(&db)]);
    assert_eq!(
        code(&o),
        0,
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
    assert!(o.stdout.starts_with(b"ok: "));
    let o = run(&["check", s(&db), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["live_rows"].as_u64().unwrap() >= acked, "{v}");

    // dump: a complete, valid dump (load verifies it) of a consistent state.
    let acked = w.acked().unwrap() + 1;
    let o = run(&["dump", s(&db)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let copy = dir.path().join("copy");
    let l = run_in(&["load", s(&copy)], &o.stdout);
    assert_eq!(code(&l), 0, "{}", stderr(&l));
    assert_writer_rows(&run(&["scan", s(&copy)]).stdout, acked);
    assert_eq!(dump_of(&copy), o.stdout);

    // backup: a copy that opens and checks on its own, holding every row
    // acknowledged before it started.
    let acked = w.acked().unwrap() + 1;
    let dest = dir.path().join("backup");
    let o = run(&["backup", s(&db), s(&dest)]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(code(&run(&["check", s(&dest)])), 0);
    assert_writer_rows(&run(&["scan", s(&dest)]).stdout, acked);

    // The commands that write need the write lock the writer holds.
    let dump = dump_of(&copy);
    for (args, input) in [
        (vec!["put", s(&db), "x"], &b""[..]),
        (vec!["delete", s(&db), "0"], b""),
        (vec!["compact", s(&db)], b""),
        (vec!["load", s(&db)], &dump),
    ] {
        let o = run_in(&args, input);
        assert_eq!(code(&o), 3, "{args:?}: {}", stderr(&o));
        assert_eq!(
            stderr(&o),
            format!(
                "toonstore: {}: {} needs the write lock, which another process holds (TOONSTORE_ERR_LOCKED)\n",
                db.display(),
                args[0]
            )
        );
    }
    assert_eq!(run(&["get", s(&db), "0"]).stdout, b"row 0");

    // The writer was never held up: it went on acknowledging rows.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while w.acked().unwrap() <= first + 1000 {
        assert!(std::time::Instant::now() < deadline, "the writer stalled");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let last = w.acked().unwrap();
    w.stop();
    let o = run(&["scan", s(&db)]);
    assert_writer_rows(&o.stdout, last + 1);
    assert_eq!(code(&run(&["check", s(&db)])), 0);
}
