//! The tool's errors: one line on stderr and an exit code (see main.rs).

use std::io;
use std::path::Path;
use std::process::ExitCode;

use toonstore::{Error, ErrorKind};

pub const EXIT_PROBLEMS: u8 = 1;
pub const EXIT_OTHER: u8 = 2;
pub const EXIT_LOCKED: u8 = 3;

/// A failed command: what to print and how to exit.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub line: Option<String>,
}

pub type Outcome<T> = Result<T, Failure>;

impl Failure {
    pub fn new(code: u8, db: &Path, cause: impl std::fmt::Display) -> Failure {
        Failure {
            code,
            line: Some(format!("toonstore: {}: {cause}", db.display())),
        }
    }

    /// An engine error on `db`; `write_cmd` names a command that needs the
    /// write lock, to say so when it is held elsewhere.
    pub fn engine(db: &Path, e: &Error, write_cmd: Option<&str>) -> Failure {
        let name = e.kind().name();
        match (e.kind(), write_cmd) {
            (ErrorKind::Locked, Some(cmd)) => Failure::new(
                EXIT_LOCKED,
                db,
                format!("{cmd} needs the write lock, which another process holds ({name})"),
            ),
            (ErrorKind::Locked, None) => Failure::new(
                EXIT_LOCKED,
                db,
                format!("another process has the database open for writing; {e} ({name})"),
            ),
            (ErrorKind::NotFound, _) => Failure::new(EXIT_PROBLEMS, db, format!("{e} ({name})")),
            _ => Failure::new(EXIT_OTHER, db, format!("{e} ({name})")),
        }
    }

    /// A failed write to stdout; a closed pipe (`| head`) ends quietly.
    pub fn output(db: &Path, e: io::Error) -> Failure {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure {
                code: 0,
                line: None,
            }
        } else {
            Failure::new(EXIT_OTHER, db, format!("cannot write output: {e}"))
        }
    }

    pub fn exit(self) -> ExitCode {
        if let Some(line) = self.line {
            eprintln!("{line}");
        }
        ExitCode::from(self.code)
    }
}
