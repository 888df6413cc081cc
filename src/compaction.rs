//! Compaction: rewriting segments that hold deleted rows, keeping row ids.
//!
//! 1. Under the writer lock: seal the active segment if it holds garbage
//!    (so its space can be reclaimed too), pick the victims (sealed segments
//!    with garbage), reserve a segment number, and take the current view.
//! 2. Without the lock: copy every live record of the victims into a new
//!    *compacted* segment as `PutAt` records (id written out), checking each
//!    record's CRC (a corrupt record stops the compaction; nothing is
//!    dropped). Flush the new segment and trim it.
//! 3. Under the writer lock: publish the new segment, point every entry that
//!    still points at its old copy to the new one (rows deleted meanwhile
//!    stay deleted), and drop the victims from the view.
//! 4. Write a checkpoint: it is the only way to find a compacted segment, and
//!    from now on the victims are referenced by nothing.
//! 5. Delete the victims' files. Snapshots that still map them keep reading;
//!    the space returns to the filesystem when the last mapping goes.
//!
//! A crash before step 4 leaves the new segment an orphan (recovery deletes
//! it) and the old checkpoint valid; a crash after it leaves victims as
//! orphans (deleted too).

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::format::record::{self, Kind};
use crate::format::segment_header::{SegmentHeader, SegmentKind, HEADER_LEN};
use crate::index::{self, View};
use crate::log::LogWriter;
use crate::snapshot::read_at;
use crate::storage::{dir, segment::Segment};
use crate::RowId;

/// What step 1 decided: the segments to rewrite and what they hold.
struct Plan {
    victims: BTreeSet<u64>,
    /// The view as of step 1 (the victims' rows are read through it).
    view: Arc<View>,
    next_id: RowId,
    /// The number reserved for the compacted segment.
    output_number: u64,
}

/// A live record of a victim: its row, where it was, its value (borrowed
/// from the plan's view, which keeps the victim mapped).
struct Move<'a> {
    id: RowId,
    old: u64,
    value: &'a [u8],
}

/// The compacted segment written in step 2, and where each move went.
struct Output {
    segment: Arc<Segment>,
    used_len: u64,
    new_locs: Vec<u64>,
}

/// Compacts the engine's segments (the steps above). Serialized with
/// checkpoints by the engine's maintenance lock.
pub(crate) fn compact(engine: &Engine) -> Result<()> {
    let _serial = engine.maintenance_lock()?;
    let Some(plan) = engine.with_writer(plan)? else {
        return Ok(());
    };
    let moves = live_records(&plan)?;
    let output = if moves.is_empty() {
        None
    } else {
        match write_compacted(&engine.dir, plan.output_number, &moves) {
            Ok(output) => Some(output),
            Err(e) => {
                // No file is left: the number can be used again.
                engine.with_writer(|w| {
                    w.release_segment_number(plan.output_number);
                    Ok(())
                })?;
                return Err(e);
            }
        }
    };
    engine.with_writer(|w| {
        switch_index(w, &plan, &moves, output.as_ref());
        Ok(())
    })?;
    // 4. Checkpoint, 5. delete the victims.
    engine.checkpoint_locked()?;
    remove_victims(&engine.dir, &plan.victims)
}

/// Step 1, under the writer lock: seal the active segment if it holds
/// garbage, pick the sealed segments with garbage, reserve the output's
/// number and take the view. `None` when there is nothing to reclaim.
fn plan(w: &mut LogWriter) -> Result<Option<Plan>> {
    let victims: BTreeSet<u64> = w.compaction_victims()?;
    if victims.is_empty() {
        return Ok(None);
    }
    let output_number = w.take_segment_number()?;
    Ok(Some(Plan {
        victims,
        view: w.frozen_view(),
        next_id: w.next_id(),
        output_number,
    }))
}

/// Step 2a, without the lock: every live record of the victims, each
/// checked against its CRC (a corrupt one stops the compaction).
fn live_records(plan: &Plan) -> Result<Vec<Move<'_>>> {
    let mut moves = Vec::new();
    for id in 0..plan.next_id {
        let loc = plan.view.get(id);
        if loc != 0 && plan.victims.contains(&index::unpack(loc).0) {
            let value = read_at(&plan.view, loc, true)?.unwrap_or_default();
            moves.push(Move {
                id,
                old: loc,
                value,
            });
        }
    }
    Ok(moves)
}

/// Step 2b: writes the moves into a new compacted segment as `PutAt`
/// records, flushes and trims it. On failure the file is removed.
fn write_compacted(dir_path: &std::path::Path, number: u64, moves: &[Move<'_>]) -> Result<Output> {
    let len: u64 = moves
        .iter()
        .map(|m| record::record_len(8 + m.value.len()) as u64)
        .sum();
    let header = SegmentHeader {
        kind: SegmentKind::Compacted,
        number,
        first_id: 0,
    };
    let segment = Segment::create(dir_path, header, HEADER_LEN as u64 + len, false)?;
    let mut at = HEADER_LEN as u64;
    let mut rec = Vec::new();
    let mut new_locs = Vec::with_capacity(moves.len());
    for m in moves {
        rec.clear();
        record::encode(&mut rec, Kind::PutAt, &[&m.id.to_le_bytes(), m.value]);
        if let Err(e) = crate::storage::faults::check("compaction.write", segment.path()) {
            let _ = std::fs::remove_file(segment.path());
            return Err(Error::io(
                "cannot write compacted segment",
                segment.path(),
                e,
            ));
        }
        // SAFETY: the segment is not in any view yet: no reader exists.
        if let Err(e) = unsafe { segment.write(at, &rec) } {
            let _ = std::fs::remove_file(segment.path());
            return Err(e);
        }
        new_locs.push(index::pack(number, at));
        at += rec.len() as u64;
    }
    if let Err(e) = segment.seal(at) {
        let _ = std::fs::remove_file(segment.path());
        return Err(e);
    }
    Ok(Output {
        segment: Arc::new(segment),
        used_len: at,
        new_locs,
    })
}

/// Step 3, under the writer lock: publish the compacted segment, point each
/// row still at its old copy to the new one (rows deleted meanwhile stay
/// deleted), and drop the victims from the view and the accounting.
fn switch_index(w: &mut LogWriter, plan: &Plan, moves: &[Move<'_>], output: Option<&Output>) {
    if let Some(out) = output {
        let moved = moves.iter().zip(&out.new_locs).map(|(m, &new)| {
            (
                m.id,
                m.old,
                new,
                record::record_len(8 + m.value.len()) as u64,
            )
        });
        w.install_compacted(&out.segment, out.used_len, moved);
    }
    let numbers: Vec<u64> = plan.victims.iter().copied().collect();
    w.remove_sealed(&numbers);
}

/// Step 5: deletes the victims' files (snapshots that map them keep reading
/// until they are dropped) and syncs the directory.
fn remove_victims(dir_path: &std::path::Path, victims: &BTreeSet<u64>) -> Result<()> {
    for n in victims {
        let path = dir_path.join(dir::segment_file_name(*n));
        crate::storage::faults::check("compaction.remove", &path)
            .and_then(|()| crate::storage::platform::remove_segment(&path))
            .map_err(|e| Error::io("cannot remove segment", &path, e))?;
    }
    dir::sync_dir(dir_path)
}
