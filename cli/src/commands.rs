//! One function per subcommand.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;
use toonstore::{Batch, CheckReport, ErrorKind, Options, RowId, ToonStore};

use crate::dump::{DumpError, DumpReader, DumpWriter};
use crate::escape::escape_into;
use crate::fail::{Failure, Outcome, EXIT_OTHER, EXIT_PROBLEMS};
use crate::progress;
use crate::Command;

pub fn run(command: Command) -> Outcome<ExitCode> {
    match command {
        Command::Stat { db, json } => stat(&db, json),
        Command::Check { db, json } => check(&db, json),
        Command::Get { db, id } => get(&db, id),
        Command::Put { db, data } => put(&db, data),
        Command::Delete { db, id } => delete(&db, id),
        Command::Scan {
            db,
            from,
            to,
            reverse,
            limit,
            raw,
        } => scan(&db, from..to.unwrap_or(RowId::MAX), reverse, limit, raw),
        Command::Dump { db } => dump(&db),
        Command::Load { db, file } => load(&db, file.as_deref()),
        Command::Compact { db } => compact(&db),
        Command::Backup { db, dest } => backup(&db, &dest),
    }
}

/// Refuses a path that is not an existing database directory, so that a
/// typo never creates a database (nor a stray LOCK file in some other
/// directory), and the message says what is wrong. A database directory
/// holds its LOCK file and its segment files (docs/FORMAT.md).
fn require_db(db: &Path) -> Outcome<()> {
    if !db.is_dir() {
        return Err(Failure::new(
            EXIT_OTHER,
            db,
            "no database directory at this path",
        ));
    }
    let entries = std::fs::read_dir(db)
        .map_err(|e| Failure::new(EXIT_OTHER, db, format!("cannot read the directory: {e}")))?;
    let is_db = entries.filter_map(Result::ok).any(|e| {
        let name = e.file_name();
        name == "LOCK" || Path::new(&name).extension().is_some_and(|x| x == "seg")
    });
    if is_db {
        Ok(())
    } else {
        Err(Failure::new(
            EXIT_OTHER,
            db,
            "not a ToonStore database (the directory has no LOCK or segment files)",
        ))
    }
}

fn open_read_only(db: &Path) -> Outcome<ToonStore> {
    require_db(db)?;
    let options = Options {
        read_only: true,
        create_if_missing: false,
        ..Options::default()
    };
    ToonStore::open_with(db, &options).map_err(|e| Failure::engine(db, &e, None))
}

fn open_writer(db: &Path, cmd: &str, create: bool) -> Outcome<ToonStore> {
    if !create {
        require_db(db)?;
    }
    let options = Options {
        create_if_missing: create,
        // load must accept any row a dump can hold.
        max_value_size: toonstore::MAX_VALUE_SIZE,
        ..Options::default()
    };
    ToonStore::open_with(db, &options).map_err(|e| Failure::engine(db, &e, Some(cmd)))
}

/// Closes a writer, reporting a failed final flush.
fn close(db: &Path, store: ToonStore) -> Outcome<()> {
    store.close().map_err(|e| Failure::engine(db, &e, None))
}

fn stat(db: &Path, json: bool) -> Outcome<ExitCode> {
    let store = open_read_only(db)?;
    let s = store.stats().map_err(|e| Failure::engine(db, &e, None))?;
    let version = toonstore::format::FORMAT_VERSION;
    let mut out = io::stdout().lock();
    let text = if json {
        json!({
            "live_rows": s.live_rows,
            "deleted_rows": s.deleted_rows,
            "next_row_id": s.next_row_id,
            "live_bytes": s.live_bytes,
            "disk_bytes": s.disk_bytes,
            "segment_count": s.segment_count,
            "garbage_fraction": s.garbage_fraction,
            "format_version": version,
        })
        .to_string()
            + "\n"
    } else {
        format!(
            "live_rows         {}\ndeleted_rows      {}\nnext_row_id       {}\nlive_bytes        {}\n\
             disk_bytes        {}\nsegment_count     {}\ngarbage_fraction  {:.4}\nformat_version    {}\n",
            s.live_rows,
            s.deleted_rows,
            s.next_row_id,
            s.live_bytes,
            s.disk_bytes,
            s.segment_count,
            s.garbage_fraction,
            version
        )
    };
    out.write_all(text.as_bytes())
        .map_err(|e| Failure::output(db, e))?;
    Ok(ExitCode::SUCCESS)
}

/// Splits a problem text "<kind>: <file> at offset <n>: <what>" into file
/// and offset, when it has that shape.
fn locate(problem: &str) -> (Option<String>, Option<u64>) {
    let Some((before, after)) = problem.split_once(" at offset ") else {
        return (None, None);
    };
    let file = ErrorKind::ALL
        .iter()
        .find_map(|k| {
            before
                .strip_prefix(k.describe())
                .and_then(|r| r.strip_prefix(": "))
        })
        .unwrap_or(before);
    let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
    (Some(file.to_string()), digits.parse().ok())
}

/// The engine's verify walk needs a database no writer has open (a live
/// writer's files change under it). Beside a writer, the walk runs on a
/// consistent copy taken with the online backup into a temporary directory:
/// the backup copies each segment's published bytes as they are (same file
/// names, same offsets), so the walk checks the database's own records, and
/// the read-only open before it runs recovery's checks on the database
/// itself, its index checkpoint included. Problems name the database's
/// files, not the copy's.
fn check_beside_writer(db: &Path) -> Outcome<CheckReport> {
    let options = Options {
        read_only: true,
        create_if_missing: false,
        ..Options::default()
    };
    let store = match ToonStore::open_with(db, &options) {
        Ok(store) => store,
        Err(e) if matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::Version) => {
            return Ok(CheckReport {
                has_checkpoint: db.join("INDEX").exists(),
                first_problem: Some(e.to_string()),
                problems: vec![e.to_string()],
                ..CheckReport::default()
            });
        }
        Err(e) => return Err(Failure::engine(db, &e, None)),
    };
    let tmp = tempfile::Builder::new()
        .prefix(".toonstore-check-")
        .tempdir()
        .map_err(|e| {
            Failure::new(
                EXIT_OTHER,
                db,
                format!("cannot create a temporary directory for the copy to check: {e}"),
            )
        })?;
    let copy = tmp.path().join("copy");
    store.backup(&copy).map_err(|e| {
        Failure::new(
            EXIT_OTHER,
            db,
            format!(
                "a writer has the database open, and the copy to check failed: {e} ({})",
                e.kind().name()
            ),
        )
    })?;
    drop(store);
    let mut report = toonstore::check(&copy).map_err(|e| Failure::engine(db, &e, None))?;
    report.has_checkpoint = db.join("INDEX").exists();
    let (from, to) = (copy.display().to_string(), db.display().to_string());
    report.first_problem = report.first_problem.map(|p| p.replace(&from, &to));
    for problem in &mut report.problems {
        *problem = problem.replace(&from, &to);
    }
    Ok(report)
}

fn check(db: &Path, json: bool) -> Outcome<ExitCode> {
    require_db(db)?;
    let spinner = progress::spinner("checking", false);
    let (report, beside_writer) = match toonstore::check(db) {
        Ok(report) => (report, false),
        Err(e) if e.kind() == ErrorKind::Locked => (check_beside_writer(db)?, true),
        Err(e) => return Err(Failure::engine(db, &e, None)),
    };
    spinner.finish_and_clear();
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| {
            let (file, offset) = locate(p);
            (p.clone(), file, offset)
        })
        .collect();
    let text = if json {
        let list: Vec<_> = problems
            .iter()
            .map(|(m, f, o)| json!({"message": m, "file": f, "offset": o}))
            .collect();
        json!({
            "ok": report.is_ok(),
            "segments": report.segments,
            "records": report.records,
            "live_rows": report.live_rows,
            "has_checkpoint": report.has_checkpoint,
            "beside_writer": beside_writer,
            "problems": list,
        })
        .to_string()
            + "\n"
    } else {
        let mut t = format!(
            "{}: {} segments, {} records, {} live rows, checkpoint: {}\n",
            if report.is_ok() { "ok" } else { "PROBLEMS" },
            report.segments,
            report.records,
            report.live_rows,
            if report.has_checkpoint { "yes" } else { "no" },
        );
        if beside_writer {
            t += "note: a writer has the database open; checked a consistent copy of it \
                  (online backup into a temporary directory)\n";
        }
        for (m, f, o) in &problems {
            t += &format!(
                "problem: file {} offset {}: {m}\n",
                f.as_deref().unwrap_or("-"),
                o.map_or("-".to_string(), |o| o.to_string())
            );
        }
        t
    };
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::output(db, e))?;
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_PROBLEMS)
    })
}

fn get(db: &Path, id: RowId) -> Outcome<ExitCode> {
    let store = open_read_only(db)?;
    let mut out = io::stdout().lock();
    let written = store
        .get_with(id, |bytes| out.write_all(bytes).and_then(|()| out.flush()))
        .map_err(|e| Failure::engine(db, &e, None))?;
    match written {
        None => Err(not_found(db, id)),
        Some(result) => {
            result.map_err(|e| Failure::output(db, e))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// A row that does not exist (never assigned, or deleted): exit 1.
fn not_found(db: &Path, id: RowId) -> Failure {
    Failure::new(
        EXIT_PROBLEMS,
        db,
        format!("row {id} not found (TOONSTORE_ERR_NOT_FOUND)"),
    )
}

/// Writes `text` to stdout (a closed pipe ends quietly, see `Failure::output`).
fn print(db: &Path, text: &str) -> Outcome<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Failure::output(db, e))
}

/// A command-line argument's bytes: as given on Unix; on Windows (where
/// arguments are UTF-16) its UTF-8 form, and an error for unpaired surrogates.
#[cfg(unix)]
fn arg_bytes(_db: &Path, arg: &std::ffi::OsStr) -> Outcome<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    Ok(arg.as_bytes().to_vec())
}

#[cfg(not(unix))]
fn arg_bytes(db: &Path, arg: &std::ffi::OsStr) -> Outcome<Vec<u8>> {
    arg.to_str().map(|s| s.as_bytes().to_vec()).ok_or_else(|| {
        Failure::new(
            EXIT_OTHER,
            db,
            "the value is not valid Unicode; pass it on stdin",
        )
    })
}

fn put(db: &Path, data: Option<std::ffi::OsString>) -> Outcome<ExitCode> {
    let bytes = match &data {
        Some(d) if d != "-" => arg_bytes(db, d)?,
        _ => {
            let mut buf = Vec::new();
            io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::new(EXIT_OTHER, db, format!("cannot read stdin: {e}")))?;
            buf
        }
    };
    let store = open_writer(db, "put", true)?;
    let id = store
        .put(&bytes)
        .map_err(|e| Failure::engine(db, &e, Some("put")))?;
    close(db, store)?;
    print(db, &format!("{id}\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn delete(db: &Path, id: RowId) -> Outcome<ExitCode> {
    let store = open_writer(db, "delete", false)?;
    store.delete(id).map_err(|e| match e.kind() {
        ErrorKind::NotFound => not_found(db, id),
        _ => Failure::engine(db, &e, Some("delete")),
    })?;
    close(db, store)?;
    Ok(ExitCode::SUCCESS)
}

/// `ids` is `from..to`; ids never reach `RowId::MAX`, so `from..MAX` is unbounded.
fn scan(
    db: &Path,
    ids: std::ops::Range<RowId>,
    reverse: bool,
    limit: Option<u64>,
    raw: bool,
) -> Outcome<ExitCode> {
    if ids.end < ids.start {
        return Err(Failure::new(
            EXIT_OTHER,
            db,
            format!(
                "scan: --to {} is below --from {} (TOONSTORE_ERR_INVALID_ARG)",
                ids.end, ids.start
            ),
        ));
    }
    let store = open_read_only(db)?;
    let snapshot = store
        .snapshot()
        .map_err(|e| Failure::engine(db, &e, None))?;
    let mut scan = snapshot
        .scan_range(ids, reverse)
        .map_err(|e| Failure::engine(db, &e, None))?;
    let mut out = BufWriter::new(io::stdout().lock());
    let mut line = Vec::new();
    let mut n = 0u64;
    while limit.is_none_or(|l| n < l) {
        let Some(item) = scan.next_ref() else { break };
        let (id, data) = item.map_err(|e| Failure::engine(db, &e, None))?;
        line.clear();
        if raw {
            line.extend_from_slice(&id.to_le_bytes());
            line.extend_from_slice(&(data.len() as u64).to_le_bytes());
            line.extend_from_slice(data);
        } else {
            line.extend_from_slice(format!("{id}\t").as_bytes());
            escape_into(&mut line, data);
            line.push(b'\n');
        }
        out.write_all(&line).map_err(|e| Failure::output(db, e))?;
        n += 1;
    }
    out.flush().map_err(|e| Failure::output(db, e))?;
    Ok(ExitCode::SUCCESS)
}

fn dump(db: &Path) -> Outcome<ExitCode> {
    let store = open_read_only(db)?;
    let snapshot = store
        .snapshot()
        .map_err(|e| Failure::engine(db, &e, None))?;
    let live = store
        .live_rows()
        .map_err(|e| Failure::engine(db, &e, None))?;
    let bar = progress::bar(live, "dumping");
    let out = BufWriter::with_capacity(1 << 16, io::stdout().lock());
    let mut w = DumpWriter::new(out, snapshot.end_id()).map_err(|e| Failure::output(db, e))?;
    let mut scan = snapshot.scan();
    while let Some(item) = scan.next_ref() {
        let (id, data) = item.map_err(|e| Failure::engine(db, &e, None))?;
        w.row(id, data).map_err(|e| Failure::output(db, e))?;
        bar.inc(1);
    }
    w.finish().map_err(|e| Failure::output(db, e))?;
    bar.finish_and_clear();
    Ok(ExitCode::SUCCESS)
}

fn dump_failure(db: &Path, e: DumpError) -> Failure {
    match e {
        DumpError::Io(e) => Failure::new(EXIT_OTHER, db, format!("cannot read the dump: {e}")),
        DumpError::Invalid(m) => Failure::new(EXIT_OTHER, db, format!("dump refused: {m}")),
    }
}

/// The dump's bytes as a seekable file: the named file, or stdin spooled
/// into a temporary file beside the database (so it can be verified whole
/// before anything is written).
fn dump_input(db: &Path, file: Option<&Path>) -> Outcome<File> {
    match file {
        Some(p) if p != Path::new("-") => File::open(p)
            .map_err(|e| Failure::new(EXIT_OTHER, db, format!("cannot open {}: {e}", p.display()))),
        _ => {
            let parent = match db.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            let mut spool = tempfile::tempfile_in(parent).map_err(|e| {
                Failure::new(EXIT_OTHER, db, format!("cannot create a spool file: {e}"))
            })?;
            io::copy(&mut io::stdin().lock(), &mut spool)
                .and_then(|_| spool.rewind())
                .map_err(|e| Failure::new(EXIT_OTHER, db, format!("cannot spool stdin: {e}")))?;
            Ok(spool)
        }
    }
}

/// Puts placeholder rows pending in `batch`, commits it, checks the ids came
/// out as planned, then deletes the placeholders.
fn commit_chunk(
    db: &Path,
    store: &ToonStore,
    batch: &mut Batch,
    first: RowId,
    placeholders: &mut Vec<RowId>,
) -> Outcome<()> {
    if batch.is_empty() {
        return Ok(());
    }
    let ids = store
        .write(batch)
        .map_err(|e| Failure::engine(db, &e, Some("load")))?;
    if ids.first().is_some_and(|&i| i != first) {
        return Err(Failure::new(
            EXIT_OTHER,
            db,
            format!(
                "ids were not assigned densely (expected {first}, got {})",
                ids[0]
            ),
        ));
    }
    if !placeholders.is_empty() {
        let mut del = Batch::new();
        for &p in placeholders.iter() {
            del.delete(p);
        }
        store
            .write(&del)
            .map_err(|e| Failure::engine(db, &e, Some("load")))?;
        placeholders.clear();
    }
    *batch = Batch::new();
    Ok(())
}

const CHUNK_OPS: usize = 4096;
const CHUNK_BYTES: usize = 8 << 20;

fn load(db: &Path, file: Option<&Path>) -> Outcome<ExitCode> {
    let mut input = dump_input(db, file)?;
    // Pass 1: verify the whole dump before touching the database.
    let rows = {
        let spinner = progress::spinner("verifying", true);
        let mut r = DumpReader::new(BufReader::new(&mut input)).map_err(|e| dump_failure(db, e))?;
        while r.next_row().map_err(|e| dump_failure(db, e))?.is_some() {
            spinner.inc(1);
        }
        spinner.finish_and_clear();
        spinner.position()
    };
    input
        .rewind()
        .map_err(|e| Failure::new(EXIT_OTHER, db, format!("cannot reread the dump: {e}")))?;
    let mut r = DumpReader::new(BufReader::new(&mut input)).map_err(|e| dump_failure(db, e))?;
    let store = open_writer(db, "load", true)?;
    let before = store.stats().map_err(|e| Failure::engine(db, &e, None))?;
    if before.next_row_id != 0 {
        return Err(Failure::new(
            EXIT_OTHER,
            db,
            format!(
                "load refused: the database is not empty (next_row_id {}); load only into a new database",
                before.next_row_id
            ),
        ));
    }
    let bar = progress::bar(rows, "loading");
    // Ids are assigned densely from 0, so an id missing from the dump is
    // recreated by putting an empty placeholder there and deleting it.
    let mut next: RowId = 0;
    let mut batch = Batch::new();
    let mut first = 0;
    let mut bytes = 0usize;
    let mut placeholders = Vec::new();
    let end = r.next_row_id;
    let mut row = r.next_row().map_err(|e| dump_failure(db, e))?;
    while next < end {
        let target = row.as_ref().map_or(end, |(id, _)| *id);
        while next < target {
            batch.put(b"");
            placeholders.push(next);
            next += 1;
            if batch.len() >= CHUNK_OPS {
                commit_chunk(db, &store, &mut batch, first, &mut placeholders)?;
                first = next;
                bytes = 0;
            }
        }
        if let Some((_, data)) = row.take() {
            batch.put(&data);
            bytes += data.len();
            next += 1;
            bar.inc(1);
            row = r.next_row().map_err(|e| dump_failure(db, e))?;
        }
        if batch.len() >= CHUNK_OPS || bytes >= CHUNK_BYTES {
            commit_chunk(db, &store, &mut batch, first, &mut placeholders)?;
            first = next;
            bytes = 0;
        }
    }
    commit_chunk(db, &store, &mut batch, first, &mut placeholders)?;
    store.sync().map_err(|e| Failure::engine(db, &e, None))?;
    close(db, store)?;
    bar.finish_and_clear();
    Ok(ExitCode::SUCCESS)
}

fn compact(db: &Path) -> Outcome<ExitCode> {
    // Space is measured with the database closed: a writer's open active
    // segment is preallocated and would inflate disk_bytes.
    let closed_stats = || -> Outcome<toonstore::Stats> {
        require_db(db)?;
        let options = Options {
            read_only: true,
            create_if_missing: false,
            ..Options::default()
        };
        let store = ToonStore::open_with(db, &options)
            .map_err(|e| Failure::engine(db, &e, Some("compact")))?;
        store.stats().map_err(|e| Failure::engine(db, &e, None))
    };
    let before = closed_stats()?;
    let store = open_writer(db, "compact", false)?;
    let spinner = progress::spinner("compacting", false);
    store
        .compact()
        .map_err(|e| Failure::engine(db, &e, Some("compact")))?;
    close(db, store)?;
    spinner.finish_and_clear();
    let after = closed_stats()?;
    print(
        db,
        &format!(
            "compacted: disk_bytes {} -> {}, garbage_fraction {:.4} -> {:.4}\n",
            before.disk_bytes, after.disk_bytes, before.garbage_fraction, after.garbage_fraction
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}

fn backup(db: &Path, dest: &Path) -> Outcome<ExitCode> {
    let store = open_read_only(db)?;
    let spinner = progress::spinner("backing up", false);
    store.backup(dest).map_err(|e| {
        Failure::new(
            EXIT_OTHER,
            db,
            format!(
                "backup to {} failed: {e} ({})",
                dest.display(),
                e.kind().name()
            ),
        )
    })?;
    spinner.finish_and_clear();
    drop(store);
    // The copy opens on its own: its statistics are the proof printed.
    let copy = open_read_only(dest)?;
    let s = copy.stats().map_err(|e| Failure::engine(dest, &e, None))?;
    print(
        db,
        &format!(
            "backup: {}: live_rows {}, next_row_id {}\n",
            dest.display(),
            s.live_rows,
            s.next_row_id
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}
