//! The Rust runner of the shared conformance vectors (tests/conformance/*.json,
//! format in tests/conformance/README.md), over the crate's API.
//!
//! A custom test harness (`harness = false`): `cargo test --test conformance`
//! runs every case of every vector file, prints one line per case, appends
//! PASS/FAIL/SKIP lines to `$TOONSTORE_CONFORMANCE_REPORT` when set, and
//! exits non-zero when a case failed. Vectors come from
//! `$TOONSTORE_CONFORMANCE_DIR` when set, else tests/conformance.
//!
//! Called as `conformance --hold-lock <dir>`, the same binary is the child
//! process of the `hold_lock` op: it opens `<dir>`, prints `ready`, and
//! closes when its stdin reaches end of file.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};

use serde_json::Value;
use toonstore::{Batch, ErrorKind, Options, Scan, Snapshot, ToonStore};

// ---------------------------------------------------------------------------
// The one place where this runner maps the vectors' language-neutral
// outcomes and capabilities onto the Rust API (README: "how each runner maps
// them").
// ---------------------------------------------------------------------------

/// Capabilities (a case's `requires`) the Rust API cannot express, and why.
const UNSUPPORTED: &[(&str, &str)] = &[
    (
        "use_after_close",
        "ToonStore::close(self) consumes the handle: a use after close does not compile",
    ),
    (
        "negative_ids",
        "row ids are u64: an id below 0 cannot be passed",
    ),
    (
        "options_version",
        "toonstore::Options has no version field (only the C options struct does)",
    ),
];

/// Capabilities this runner supports; a case requiring any other is skipped.
const SUPPORTED: &[&str] = &["readers_outlive_close"];

/// Ops of the vector format this binding lacks (none: the crate has them all).
const UNSUPPORTED_OPS: &[(&str, &str)] = &[];

/// The C name of an error (`TOONSTORE_ERR_*`), from the code the crate's
/// error kind carries.
fn error_name(kind: ErrorKind) -> String {
    let name = match kind.code() {
        -1 => "TOONSTORE_ERR_INVALID_ARG",
        -2 => "TOONSTORE_ERR_NOT_FOUND",
        -3 => "TOONSTORE_ERR_IO",
        -4 => "TOONSTORE_ERR_CORRUPT",
        -5 => "TOONSTORE_ERR_LOCKED",
        -6 => "TOONSTORE_ERR_TOO_LARGE",
        -7 => "TOONSTORE_ERR_READ_ONLY",
        -8 => "TOONSTORE_ERR_VERSION",
        -9 => "TOONSTORE_ERR_NOMEM",
        -10 => "TOONSTORE_ERR_INTERNAL",
        -11 => "TOONSTORE_ERR_CLOSED",
        -12 => "TOONSTORE_ERR_BUFFER_TOO_SMALL",
        -13 => "TOONSTORE_ERR_POISONED",
        -14 => "TOONSTORE_ERR_FORKED",
        code => return format!("TOONSTORE_ERR_UNKNOWN({code})"),
    };
    name.to_owned()
}

/// `get`/`snapshot_get` of a missing row is `Ok(None)` in Rust: "absent".
fn from_get(result: toonstore::Result<Option<Vec<u8>>>) -> Outcome {
    match result {
        Ok(Some(bytes)) => Outcome::Value(bytes),
        Ok(None) => Outcome::Absent,
        Err(e) => Outcome::from(e),
    }
}

// ---------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------

/// What a step gave, or what the vector expects.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    Ok,
    Id(u64),
    Value(Vec<u8>),
    Absent,
    Bool(bool),
    Count(u64),
    Rows(Vec<(u64, Vec<u8>)>),
    Row(u64, Vec<u8>),
    End,
    Ids(Vec<u64>),
    Error(String),
    InvalidId,
}

impl From<toonstore::Error> for Outcome {
    fn from(e: toonstore::Error) -> Outcome {
        Outcome::Error(error_name(e.kind()))
    }
}

fn show_bytes(b: &[u8]) -> String {
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("hex:{hex}")
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Ok => write!(f, "ok"),
            Outcome::Id(id) => write!(f, "id {id}"),
            Outcome::Value(b) => write!(f, "value {}", show_bytes(b)),
            Outcome::Absent => write!(f, "absent"),
            Outcome::Bool(b) => write!(f, "bool {b}"),
            Outcome::Count(n) => write!(f, "count {n}"),
            Outcome::Rows(rows) => {
                write!(f, "rows [")?;
                for (i, (id, b)) in rows.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{id}: {}", show_bytes(b))?;
                }
                write!(f, "]")
            }
            Outcome::Row(id, b) => write!(f, "row {id}: {}", show_bytes(b)),
            Outcome::End => write!(f, "end"),
            Outcome::Ids(ids) => write!(f, "ids {ids:?}"),
            Outcome::Error(name) => write!(f, "error {name}"),
            Outcome::InvalidId => write!(f, "invalid_id"),
        }
    }
}

// ---------------------------------------------------------------------------
// Reading the vectors
// ---------------------------------------------------------------------------

type Parse<T> = Result<T, String>;

fn bytes_of(v: &Value) -> Parse<Vec<u8>> {
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| format!("bytes must be {{\"hex\": ..}} or {{\"utf8\": ..}}, got {v}"))?;
    if let Some(s) = obj.get("utf8").and_then(Value::as_str) {
        return Ok(s.as_bytes().to_vec());
    }
    let hex = obj
        .get("hex")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("bytes must be hex or utf8, got {v}"))?;
    if hex.len() % 2 != 0 {
        return Err(format!("odd number of hex digits in {hex:?}"));
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| format!("bad hex digits in {hex:?}"))
        })
        .collect()
}

fn id_of(v: &Value) -> Parse<u64> {
    v.as_u64()
        .ok_or_else(|| format!("id must be an integer >= 0 here, got {v}"))
}

fn row_of(v: &Value) -> Parse<(u64, Vec<u8>)> {
    match v.as_array().map(Vec::as_slice) {
        Some([id, bytes]) => Ok((id_of(id)?, bytes_of(bytes)?)),
        _ => Err(format!("a row must be [id, bytes], got {v}")),
    }
}

fn expected(v: &Value) -> Parse<Outcome> {
    if let Some(s) = v.as_str() {
        return match s {
            "ok" => Ok(Outcome::Ok),
            "absent" => Ok(Outcome::Absent),
            "end" => Ok(Outcome::End),
            "invalid_id" => Ok(Outcome::InvalidId),
            _ => Err(format!("unknown expect {s:?}")),
        };
    }
    let obj = v
        .as_object()
        .filter(|o| o.len() == 1)
        .ok_or_else(|| format!("expect must be a string or a one-key object, got {v}"))?;
    let (key, val) = obj.iter().next().expect("one key");
    Ok(match key.as_str() {
        "id" => Outcome::Id(id_of(val)?),
        "value" => Outcome::Value(bytes_of(val)?),
        "bool" => Outcome::Bool(val.as_bool().ok_or("bool must be true or false")?),
        "count" => Outcome::Count(id_of(val)?),
        "rows" => Outcome::Rows(
            val.as_array()
                .ok_or("rows must be a list")?
                .iter()
                .map(row_of)
                .collect::<Parse<_>>()?,
        ),
        "row" => {
            let (id, b) = row_of(val)?;
            Outcome::Row(id, b)
        }
        "ids" => Outcome::Ids(
            val.as_array()
                .ok_or("ids must be a list")?
                .iter()
                .map(id_of)
                .collect::<Parse<_>>()?,
        ),
        "error" => Outcome::Error(
            val.as_str()
                .filter(|s| s.starts_with("TOONSTORE_ERR_"))
                .ok_or_else(|| format!("error must be a C error name, got {val}"))?
                .to_owned(),
        ),
        _ => return Err(format!("unknown expect key {key:?}")),
    })
}

fn arg<'a>(step: &'a Value, key: &str) -> Parse<&'a Value> {
    step.get(key)
        .ok_or_else(|| format!("missing argument {key:?}"))
}

fn name_arg(step: &Value, key: &str) -> Parse<String> {
    arg(step, key)?
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("{key} must be a string"))
}

fn start_arg(step: &Value) -> Parse<u64> {
    step.get("start").map_or(Ok(0), id_of)
}

/// The range of a `scan_range` step: `start` (default 0) .. `stop` (default
/// no bound), `reverse` (default false) and `limit` (default none).
struct RangeArgs {
    start: u64,
    stop: Option<u64>,
    reverse: bool,
    limit: Option<usize>,
}

fn range_args(step: &Value) -> Parse<RangeArgs> {
    let uint = |key: &str| -> Parse<Option<u64>> {
        step.get(key)
            .map(|v| v.as_u64().ok_or(format!("{key} must be an integer >= 0")))
            .transpose()
    };
    Ok(RangeArgs {
        start: start_arg(step)?,
        stop: uint("stop")?,
        reverse: match step.get("reverse") {
            None => false,
            Some(v) => v.as_bool().ok_or("reverse must be a bool")?,
        },
        limit: uint("limit")?.map(|n| n as usize),
    })
}

/// Runs a range scan: `scan` starts it over `(start, stop)` and direction.
fn range_scan(
    a: &RangeArgs,
    scan: impl FnOnce((Bound<u64>, Bound<u64>), bool) -> toonstore::Result<Scan>,
) -> Outcome {
    let stop = a.stop.map_or(Bound::Unbounded, Bound::Excluded);
    match scan((Bound::Included(a.start), stop), a.reverse) {
        Ok(scan) => collect(scan.take(a.limit.unwrap_or(usize::MAX))),
        Err(e) => e.into(),
    }
}

struct Case {
    id: String,
    requires: Vec<String>,
    steps: Vec<Value>,
}

fn vector_dir() -> PathBuf {
    match std::env::var_os("TOONSTORE_CONFORMANCE_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance"),
    }
}

fn load_cases(dir: &Path) -> Parse<Vec<Case>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(format!("no *.json vector files in {}", dir.display()));
    }
    let mut cases = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&file)
            .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        let doc: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{} is not valid JSON: {e}", file.display()))?;
        let list = doc
            .get("cases")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: no \"cases\" list", file.display()))?;
        for case in list {
            let name = case
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{}: a case without a name", file.display()))?;
            let requires = case
                .get("requires")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(|x| x.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default();
            let steps = case
                .get("steps")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            cases.push(Case {
                id: format!("{stem}/{name}"),
                requires,
                steps,
            });
        }
    }
    Ok(cases)
}

// ---------------------------------------------------------------------------
// Executing a case
// ---------------------------------------------------------------------------

/// The child process of `hold_lock`.
struct LockHolder {
    child: Child,
}

impl LockHolder {
    fn start(dir: &Path) -> Result<LockHolder, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
        let mut child = Command::new(exe)
            .arg("--hold-lock")
            .arg(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start the lock-holding child: {e}"))?;
        let stdout: ChildStdout = child.stdout.take().expect("piped");
        let mut line = String::new();
        let read = BufReader::new(stdout).read_line(&mut line);
        let mut holder = LockHolder { child };
        match read {
            Ok(_) if line.trim() == "ready" => Ok(holder),
            _ => {
                holder.stop();
                Err(format!("the lock-holding child said {:?}", line.trim()))
            }
        }
    }

    /// Closes the child's stdin (it then closes the database) and waits.
    fn stop(&mut self) -> Option<std::process::ExitStatus> {
        drop(self.child.stdin.take());
        self.child.wait().ok()
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        self.stop();
    }
}

fn hold_lock_child(dir: &str) -> ExitCode {
    match ToonStore::open(dir) {
        Ok(db) => {
            println!("ready");
            let _ = std::io::stdout().flush();
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            match db.close() {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("hold-lock child: close failed: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Err(e) => {
            println!("error {}: {}", error_name(e.kind()), e.message());
            ExitCode::FAILURE
        }
    }
}

/// The state of one case. Field order is drop order: iterators and
/// snapshots before the handle, the lock holder last.
struct Run {
    iters: HashMap<String, Scan>,
    snapshots: HashMap<String, Snapshot>,
    db: Option<ToonStore>,
    holder: Option<LockHolder>,
    dir: tempfile::TempDir,
}

impl Run {
    fn path(&self) -> PathBuf {
        // The database directory is a child of the temporary directory, so
        // that "missing database" cases start with nothing there.
        self.dir.path().join("db")
    }

    fn db(&self) -> Result<&ToonStore, String> {
        self.db
            .as_ref()
            .ok_or_else(|| "the vector uses the handle while it is not open".to_owned())
    }

    /// Runs one step; `Err` is a broken vector or harness problem.
    fn step(&mut self, op: &str, step: &Value) -> Result<Outcome, String> {
        Ok(match op {
            "open" => {
                if self.db.is_some() {
                    return Err("open while the handle is open".into());
                }
                let mut options = Options::default();
                if let Some(opts) = step.get("options") {
                    let opts = opts.as_object().ok_or("options must be an object")?;
                    for (key, val) in opts {
                        match key.as_str() {
                            "read_only" => options.read_only = val.as_bool().ok_or("bool")?,
                            "create_if_missing" => {
                                options.create_if_missing = val.as_bool().ok_or("bool")?
                            }
                            "max_value_size" => options.max_value_size = id_of(val)?,
                            _ => return Err(format!("unknown option {key:?}")),
                        }
                    }
                }
                match ToonStore::open_with(self.path(), &options) {
                    Ok(db) => {
                        self.db = Some(db);
                        Outcome::Ok
                    }
                    Err(e) => e.into(),
                }
            }
            "close" => {
                let db = self.db.take().ok_or("close while the handle is not open")?;
                match db.close() {
                    Ok(()) => Outcome::Ok,
                    Err(e) => e.into(),
                }
            }
            "put" => match self.db()?.put(&bytes_of(arg(step, "value")?)?) {
                Ok(id) => Outcome::Id(id),
                Err(e) => e.into(),
            },
            "get" => from_get(self.db()?.get(id_of(arg(step, "id")?)?)),
            "contains" => match self.db()?.contains(id_of(arg(step, "id")?)?) {
                Ok(b) => Outcome::Bool(b),
                Err(e) => e.into(),
            },
            "delete" => match self.db()?.delete(id_of(arg(step, "id")?)?) {
                Ok(()) => Outcome::Ok,
                Err(e) => e.into(),
            },
            "count" => match self.db()?.live_rows() {
                Ok(n) => Outcome::Count(n),
                Err(e) => e.into(),
            },
            "scan" => match self.db()?.scan_from(start_arg(step)?) {
                Ok(scan) => collect(scan),
                Err(e) => e.into(),
            },
            "iter_open" => match self.db()?.scan_from(start_arg(step)?) {
                Ok(scan) => {
                    self.iters.insert(name_arg(step, "iter")?, scan);
                    Outcome::Ok
                }
                Err(e) => e.into(),
            },
            "iter_next" => {
                let name = name_arg(step, "iter")?;
                let it = self
                    .iters
                    .get_mut(&name)
                    .ok_or_else(|| format!("no iterator {name:?}"))?;
                match it.next() {
                    Some(Ok((id, b))) => Outcome::Row(id, b),
                    Some(Err(e)) => e.into(),
                    None => Outcome::End,
                }
            }
            "iter_close" => {
                let name = name_arg(step, "iter")?;
                self.iters
                    .remove(&name)
                    .ok_or_else(|| format!("no iterator {name:?}"))?;
                Outcome::Ok
            }
            "batch" => {
                let mut batch = Batch::new();
                for op in arg(step, "ops")?.as_array().ok_or("ops must be a list")? {
                    if let Some(data) = op.get("put") {
                        batch.put(&bytes_of(data)?);
                    } else if let Some(id) = op.get("delete") {
                        batch.delete(id_of(id)?);
                    } else {
                        return Err(format!("unknown batch op {op}"));
                    }
                }
                match self.db()?.write(&batch) {
                    Ok(ids) => Outcome::Ids(ids),
                    Err(e) => e.into(),
                }
            }
            "snapshot_open" => match self.db()?.snapshot() {
                Ok(snap) => {
                    self.snapshots.insert(name_arg(step, "snapshot")?, snap);
                    Outcome::Ok
                }
                Err(e) => e.into(),
            },
            "snapshot_get" => {
                let snap = self.snapshot(step)?;
                from_get(
                    snap.get(id_of(arg(step, "id")?)?)
                        .map(|found| found.map(<[u8]>::to_vec)),
                )
            }
            "snapshot_scan" => collect(self.snapshot(step)?.scan_from(start_arg(step)?)),
            "scan_range" => {
                let a = range_args(step)?;
                let db = self.db()?;
                range_scan(&a, |range, reverse| db.scan_range(range, reverse))
            }
            "snapshot_scan_range" => {
                let a = range_args(step)?;
                let snap = self.snapshot(step)?;
                range_scan(&a, |range, reverse| snap.scan_range(range, reverse))
            }
            "snapshot_close" => {
                let name = name_arg(step, "snapshot")?;
                self.snapshots
                    .remove(&name)
                    .ok_or_else(|| format!("no snapshot {name:?}"))?;
                Outcome::Ok
            }
            "compact" => match self.db()?.compact() {
                Ok(()) => Outcome::Ok,
                Err(e) => e.into(),
            },
            "sync" => match self.db()?.sync() {
                Ok(()) => Outcome::Ok,
                Err(e) => e.into(),
            },
            "hold_lock" => {
                if self.holder.is_some() {
                    return Err("hold_lock while a child already holds it".into());
                }
                self.holder = Some(LockHolder::start(&self.path())?);
                Outcome::Ok
            }
            "release_lock" => {
                let mut holder = self.holder.take().ok_or("release_lock without hold_lock")?;
                match holder.stop() {
                    Some(status) if status.success() => Outcome::Ok,
                    other => return Err(format!("the lock-holding child ended with {other:?}")),
                }
            }
            _ => return Err(format!("unknown op {op:?}")),
        })
    }

    fn snapshot(&self, step: &Value) -> Result<&Snapshot, String> {
        let name = name_arg(step, "snapshot")?;
        self.snapshots
            .get(&name)
            .ok_or_else(|| format!("no snapshot {name:?}"))
    }
}

fn collect(scan: impl Iterator<Item = toonstore::Result<(u64, Vec<u8>)>>) -> Outcome {
    match scan.collect::<toonstore::Result<Vec<_>>>() {
        Ok(rows) => Outcome::Rows(rows),
        Err(e) => e.into(),
    }
}

enum Verdict {
    Pass,
    Fail(String),
    Skip(String),
}

fn skip_reason(case: &Case) -> Option<String> {
    for need in &case.requires {
        if let Some((_, why)) = UNSUPPORTED.iter().find(|(cap, _)| cap == need) {
            return Some(format!("requires {need}: {why}"));
        }
        if !SUPPORTED.contains(&need.as_str()) {
            return Some(format!(
                "requires {need}, a capability this runner does not know"
            ));
        }
    }
    for step in &case.steps {
        let op = step.get("op").and_then(Value::as_str).unwrap_or("");
        if let Some((_, why)) = UNSUPPORTED_OPS.iter().find(|(o, _)| *o == op) {
            return Some(format!("op {op}: {why}"));
        }
    }
    None
}

fn run_case(case: &Case) -> Verdict {
    if let Some(why) = skip_reason(case) {
        return Verdict::Skip(why);
    }
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return Verdict::Fail(format!("cannot create a temporary directory: {e}")),
    };
    let mut run = Run {
        iters: HashMap::new(),
        snapshots: HashMap::new(),
        db: None,
        holder: None,
        dir,
    };
    for (i, step) in case.steps.iter().enumerate() {
        let op = step.get("op").and_then(Value::as_str).unwrap_or("?");
        let fail = |what: String| Verdict::Fail(format!("step {i} ({op}): {what}"));
        let want = match step.get("expect").map(expected) {
            Some(Ok(w)) => w,
            Some(Err(e)) => return fail(format!("bad vector: {e}")),
            None => return fail("bad vector: no expect".into()),
        };
        match run.step(op, step) {
            Ok(got) if got == want => {}
            Ok(got) => return fail(format!("expected {want}, got {got}")),
            Err(e) => return fail(format!("bad vector or runner error: {e}")),
        }
    }
    Verdict::Pass
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() == 3 && args[1] == "--hold-lock" {
        return hold_lock_child(&args[2]);
    }
    let dir = vector_dir();
    let cases = match load_cases(&dir) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("conformance: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut report = match std::env::var_os("TOONSTORE_CONFORMANCE_REPORT") {
        Some(path) if !path.is_empty() => {
            match fs::OpenOptions::new().create(true).append(true).open(&path) {
                Ok(f) => Some(f),
                Err(e) => {
                    eprintln!("conformance: cannot open the report file: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
        _ => None,
    };
    let (mut passed, mut failed, mut skipped) = (0, 0, 0);
    for case in &cases {
        let line = match run_case(case) {
            Verdict::Pass => {
                passed += 1;
                format!("PASS {}", case.id)
            }
            Verdict::Fail(why) => {
                failed += 1;
                format!("FAIL {}: {why}", case.id)
            }
            Verdict::Skip(why) => {
                skipped += 1;
                format!("SKIP {}: {why}", case.id)
            }
        };
        println!("{line}");
        if let Some(f) = report.as_mut() {
            if let Err(e) = writeln!(f, "{line}") {
                eprintln!("conformance: cannot write the report file: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!(
        "conformance (rust, {}): {passed} passed, {failed} failed, {skipped} skipped",
        dir.display()
    );
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
