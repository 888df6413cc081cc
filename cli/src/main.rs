//! `toonstore`: the command-line tool of the ToonStore row store.
//!
//! Exit codes (also in `--help` and docs/cli.md):
//! 0 success; 1 `check` found problems, or `get`/`delete` of a missing row;
//! 2 usage error, bad input, or any other error; 3 the database is locked by
//! another process (TOONSTORE_ERR_LOCKED).

mod commands;
mod dump;
mod escape;
mod fail;
mod progress;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  check: problems were found; get/delete: the row does not exist
  2  usage error, invalid input (bad dump, non-empty load target, a directory that
     is not a database), or any other error
  3  the database is locked by another process (TOONSTORE_ERR_LOCKED): put, delete,
     compact and load need the write lock; the read-only commands work beside a writer

Errors are one line on stderr: `toonstore: <database>: <cause> (<C error name>)`;
usage errors: `toonstore: <cause> (see 'toonstore <command> --help')`.
Full documentation with examples: docs/cli.md.";

#[derive(Parser)]
#[command(
    name = "toonstore",
    version = toonstore::VERSION,
    about = "Inspect and maintain a ToonStore database directory",
    long_about = "Inspect and maintain a ToonStore database directory.

stat, check, get, scan, dump and backup open the database read-only: they
work while another process writes to it, and see every row it had
acknowledged before they started. put, delete, compact and load need the
write lock: they exit 3 when another process holds it. dump, load, check,
compact and backup show progress on stderr when it is a terminal.
`toonstore <command> --help` describes each command.",
    after_help = EXIT_CODES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Print row counts, space, segments, garbage fraction and format version (opens read-only).
    #[command(after_help = EXIT_CODES)]
    Stat {
        /// Database directory.
        db: PathBuf,
        /// Print JSON with the field names of ToonStoreStats.
        #[arg(long)]
        json: bool,
    },
    /// Verify every record's checksum and every live row (opens read-only).
    ///
    /// Exit 0 when healthy, 1 when problems were found (each listed with
    /// file and offset), 2 for usage or other errors. Beside a writer in
    /// another process it walks a consistent copy of the database taken with
    /// the online backup into a temporary directory ($TMPDIR), which needs
    /// free space for the database's size; problems still name the
    /// database's own files and offsets.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Database directory.
        db: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write a row's bytes to stdout exactly, with no added newline (opens read-only).
    #[command(after_help = EXIT_CODES)]
    Get {
        /// Database directory.
        db: PathBuf,
        /// Row id.
        id: u64,
    },
    /// Store a new row and print its id (needs the write lock; creates the database when missing).
    ///
    /// DATA is taken as the row's bytes; `-` (or no DATA) reads the row's
    /// bytes from stdin exactly, any bytes.
    #[command(after_help = EXIT_CODES)]
    Put {
        /// Database directory (created when missing).
        db: PathBuf,
        /// The row's bytes, or `-` for stdin.
        data: Option<std::ffi::OsString>,
    },
    /// Delete a row (needs the write lock). Exit 1 if the row does not exist.
    #[command(after_help = EXIT_CODES)]
    Delete {
        /// Database directory (must exist).
        db: PathBuf,
        /// Row id.
        id: u64,
    },
    /// List rows in id order, one per line as `id<TAB>data` (opens read-only).
    ///
    /// Rows with FROM <= id < TO (no upper bound without --to), lowest id
    /// first, or highest first with --reverse; --limit counts in that order,
    /// so `--reverse --limit 10` lists the last 10 rows. In the text form printable ASCII is written as is; backslash, tab,
    /// newline and carriage return are written `\\`, `\t`, `\n`, `\r`, and
    /// every other byte as `\xHH`. With --raw each row is written as
    /// u64 id, u64 length (both little-endian), then the bytes.
    #[command(after_help = EXIT_CODES)]
    Scan {
        /// Database directory.
        db: PathBuf,
        /// Lowest row id to list.
        #[arg(long, value_name = "ID", default_value_t = 0)]
        from: u64,
        /// List only ids below this one (exclusive bound; not below --from).
        #[arg(long, value_name = "ID")]
        to: Option<u64>,
        /// Highest id first.
        #[arg(long)]
        reverse: bool,
        /// List at most N rows.
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        /// Length-prefixed binary output instead of escaped text.
        #[arg(long)]
        raw: bool,
    },
    /// Write every row with its id to stdout in the portable dump format (opens read-only).
    ///
    /// Format (version 1, integers little-endian): header "TOONDUMP",
    /// u32 version, u64 next_row_id; per row 'R', u64 id, u64 length, bytes;
    /// trailer 'E', u64 row count, u32 CRC-32 of everything before it.
    /// See docs/cli.md.
    #[command(after_help = EXIT_CODES)]
    Dump {
        /// Database directory.
        db: PathBuf,
    },
    /// Load a dump into a new database, with the same row ids and next id (needs the write lock).
    ///
    /// The whole dump is verified (trailer, CRC, structure) before anything
    /// is written; a truncated or altered dump is refused. DB must not exist
    /// or be an empty database.
    #[command(after_help = EXIT_CODES)]
    Load {
        /// Database directory (created when missing; must be empty).
        db: PathBuf,
        /// Dump file; `-` or none reads stdin.
        file: Option<PathBuf>,
    },
    /// Rewrite the segments to drop deleted rows (needs the write lock).
    #[command(after_help = EXIT_CODES)]
    Compact {
        /// Database directory.
        db: PathBuf,
    },
    /// Copy the database to DEST with the online backup (opens read-only).
    ///
    /// Writes a complete, consistent copy as of one moment, openable on its
    /// own, while another process may go on writing to DB. DEST must not
    /// exist; a backup that fails or is interrupted leaves nothing at DEST
    /// that opens as a database. Prints the copy's row count and next id.
    #[command(after_help = EXIT_CODES)]
    Backup {
        /// Database directory.
        db: PathBuf,
        /// Where to create the copy (a new directory).
        dest: PathBuf,
    },
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("toonstore: internal error (TOONSTORE_ERR_INTERNAL): {info}");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    match commands::run(cli.command) {
        Ok(code) => code,
        Err(f) => f.exit(),
    }
}

/// Prints `--help`/`--version` as clap does; any other parse error becomes
/// one line on stderr (the cause, then where to read the usage), exit 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    if matches!(
        e.kind(),
        K::DisplayHelp | K::DisplayVersion | K::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        e.exit();
    }
    eprintln!("toonstore: {} (see '{}')", usage_cause(e), help_hint());
    ExitCode::from(fail::EXIT_OTHER)
}

/// The first paragraph of clap's plain-text message, without its `error: `
/// prefix, folded onto one line (clap lists missing arguments one per line).
fn usage_cause(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let paragraph: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let joined = paragraph.join(" ");
    joined
        .strip_prefix("error: ")
        .unwrap_or(&joined)
        .to_string()
}

/// `toonstore SUB --help` when the first argument names a subcommand.
fn help_hint() -> String {
    use clap::CommandFactory;
    let sub = std::env::args_os().nth(1);
    let known = sub
        .as_ref()
        .and_then(|s| s.to_str())
        .filter(|s| Cli::command().get_subcommands().any(|c| c.get_name() == *s));
    match known {
        Some(s) => format!("toonstore {s} --help"),
        None => "toonstore --help".to_string(),
    }
}
