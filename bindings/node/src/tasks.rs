//! The asynchronous calls: napi `Task`s whose `compute` runs on the libuv
//! thread pool, so the event loop never waits for the disk (an fsync, a
//! recovery, a compaction, a final flush).
//!
//! A task owns everything it touches: its own `Arc` of the engine (taken
//! when the call was made, see database.rs) and a copy of any bytes it
//! writes, since JavaScript may change or free a buffer while the task runs.

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, ToNapiValue, TypeName, Undefined};
use napi::{sys, Env, Task, ValueType};
use toonstore::{Batch, Options, RowId, ToonStore};

use crate::database::{first_id, NativeDatabase, NativeStats};
use crate::errors::{panic_boundary, EngineResult};
use crate::registry;

/// What a `DbTask` does.
pub enum Op {
    Put(Vec<u8>),
    Get(RowId),
    Delete(RowId),
    Write(Batch),
    Sync,
    Compact,
    Stats,
    /// An online backup to this directory (reads only: allowed on a
    /// read-only handle).
    Backup(PathBuf),
}

impl Op {
    /// Whether the operation writes (refused on a read-only handle).
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Op::Put(_) | Op::Delete(_) | Op::Write(_) | Op::Sync | Op::Compact
        )
    }
}

/// What a task resolves its promise with.
pub enum TaskValue {
    Number(f64),
    Bytes(Option<Vec<u8>>),
    Stats(NativeStats),
    Nothing,
}

impl TypeName for TaskValue {
    fn type_name() -> &'static str {
        "TaskValue"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for TaskValue {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        // SAFETY: `env` is the live environment napi-rs resolves the promise
        // in (this is only called from `Task::resolve`), as each callee needs.
        unsafe {
            match val {
                TaskValue::Number(n) => f64::to_napi_value(env, n),
                TaskValue::Bytes(Some(v)) => Buffer::to_napi_value(env, Buffer::from(v)),
                TaskValue::Bytes(None) | TaskValue::Nothing => Undefined::to_napi_value(env, ()),
                TaskValue::Stats(s) => NativeStats::to_napi_value(env, s),
            }
        }
    }
}

/// One asynchronous call on an open engine, or a close.
pub struct DbTask {
    db: Option<Arc<ToonStore>>,
    op: Option<Op>,
}

impl DbTask {
    pub fn new(db: Arc<ToonStore>, op: Op) -> DbTask {
        DbTask {
            db: Some(db),
            op: Some(op),
        }
    }

    /// Gives up `db` (None: the handle was already closed).
    pub fn close(db: Option<Arc<ToonStore>>) -> DbTask {
        DbTask { db, op: None }
    }
}

impl Task for DbTask {
    type Output = TaskValue;
    type JsValue = TaskValue;

    fn compute(&mut self) -> napi::Result<TaskValue> {
        panic_boundary(|| self.run())
    }

    fn resolve(&mut self, _env: Env, output: TaskValue) -> napi::Result<TaskValue> {
        Ok(output)
    }

    fn finally(mut self, _env: Env) -> napi::Result<()> {
        // Only when `compute` never ran (the environment is going away).
        if let Some(db) = self.db.take() {
            let _ = registry::release(db);
        }
        Ok(())
    }
}

impl DbTask {
    fn run(&mut self) -> napi::Result<TaskValue> {
        let Some(op) = self.op.take() else {
            return match self.db.take() {
                Some(db) => registry::release(db).js().map(|()| TaskValue::Nothing),
                None => Ok(TaskValue::Nothing),
            };
        };
        let Some(db) = self.db.take() else {
            return Err(crate::errors::closed_error("database"));
        };
        let value = run(&db, op);
        // Given back here, on the thread pool: when the handle was closed
        // while this task ran, this is the engine's last reference, and its
        // final flush runs here rather than on the JavaScript thread.
        let _ = registry::release(db);
        value
    }
}

fn run(db: &ToonStore, op: Op) -> napi::Result<TaskValue> {
    {
        let value = match op {
            Op::Put(data) => TaskValue::Number(db.put(&data).js()? as f64),
            Op::Get(id) => TaskValue::Bytes(db.get(id).js()?),
            Op::Delete(id) => {
                db.delete(id).js()?;
                TaskValue::Nothing
            }
            Op::Write(batch) => TaskValue::Number(first_id(&db.write(&batch).js()?)),
            Op::Sync => {
                db.sync().js()?;
                TaskValue::Nothing
            }
            Op::Compact => {
                db.compact().js()?;
                TaskValue::Nothing
            }
            Op::Stats => TaskValue::Stats(db.stats().js()?.into()),
            Op::Backup(dest) => {
                db.backup(dest).js()?;
                TaskValue::Nothing
            }
        };
        Ok(value)
    }
}

/// `ToonStore.openAsync`: recovery runs on the thread pool.
pub struct OpenTask {
    path: String,
    options: Options,
}

impl OpenTask {
    pub fn new(path: String, options: Options) -> OpenTask {
        OpenTask { path, options }
    }
}

impl Task for OpenTask {
    type Output = Arc<ToonStore>;
    type JsValue = NativeDatabase;

    fn compute(&mut self) -> napi::Result<Arc<ToonStore>> {
        panic_boundary(|| registry::open_shared(&PathBuf::from(&self.path), &self.options).js())
    }

    fn resolve(&mut self, _env: Env, db: Arc<ToonStore>) -> napi::Result<NativeDatabase> {
        NativeDatabase::from_engine(db, std::mem::take(&mut self.path), self.options.read_only)
    }
}
