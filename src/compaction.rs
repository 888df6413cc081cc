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

use crate::db::Shared;
use crate::error::{Error, Result};
use crate::format::record::{self, Kind};
use crate::format::segment_header::{SegmentHeader, SegmentKind, HEADER_LEN};
use crate::index;
use crate::log::SegStat;
use crate::snapshot::read_at;
use crate::storage::{dir, segment::Segment};

/// What a compaction did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CompactionReport {
    pub segments_rewritten: u64,
    pub rows_moved: u64,
    pub bytes_reclaimed: u64,
}

pub(crate) fn compact(shared: &Shared) -> Result<CompactionReport> {
    let _serial = shared.maintenance_lock()?;
    // 1. Victims.
    let (victims, view, next_id, output_number) = shared.with_writer(|w| {
        if w.commit.is_poisoned() {
            return Err(crate::log::group_commit::GroupCommit::poisoned_error());
        }
        let active_garbage = w.append_at - HEADER_LEN as u64 > w.active_live;
        if active_garbage {
            w.roll(0)?;
        }
        let victims: BTreeSet<u64> = w
            .sealed
            .iter()
            .filter(|(_, s)| s.used_len - HEADER_LEN as u64 > s.live_bytes)
            .map(|(n, _)| *n)
            .collect();
        if victims.is_empty() {
            return Ok((victims, None, 0, 0));
        }
        let number = w.take_segment_number()?;
        Ok((
            victims,
            Some(Arc::new(w.index.view().clone())),
            w.next_id,
            number,
        ))
    })?;
    let Some(view) = view else {
        return Ok(CompactionReport::default());
    };
    let verify = true;

    // 2. Copy live records.
    let mut moves = Vec::new();
    let mut out_len = HEADER_LEN as u64;
    for id in 0..next_id {
        let loc = view.get(id);
        if loc != 0 && victims.contains(&index::unpack(loc).0) {
            let value = read_at(&view, loc, verify)?.unwrap_or_default();
            out_len += record::record_len(8 + value.len()) as u64;
            moves.push((id, loc, value));
        }
    }
    let mut output = None;
    let mut new_locs = Vec::with_capacity(moves.len());
    if !moves.is_empty() {
        let header = SegmentHeader {
            kind: SegmentKind::Compacted,
            number: output_number,
            first_id: 0,
        };
        let segment = Segment::create(&shared.dir, header, out_len, false)?;
        let mut at = HEADER_LEN as u64;
        let mut rec = Vec::new();
        for (id, _, value) in &moves {
            rec.clear();
            record::encode(&mut rec, Kind::PutAt, &[&id.to_le_bytes(), value]);
            if let Err(e) = crate::storage::faults::check("compaction.write", segment.path()) {
                let _ = std::fs::remove_file(segment.path());
                return Err(Error::io(
                    "cannot write compacted segment",
                    segment.path(),
                    e,
                ));
            }
            // SAFETY: the segment is not in any view yet: no reader exists.
            unsafe { segment.write(at, &rec) };
            new_locs.push(index::pack(output_number, at));
            at += rec.len() as u64;
        }
        let written = (|| {
            segment.flush(0, at)?;
            segment.set_synced_len(at);
            segment.flush(0, HEADER_LEN as u64)?;
            segment.set_file_len(at)?;
            segment.sync_file()
        })();
        if let Err(e) = written {
            let _ = std::fs::remove_file(segment.path());
            return Err(e);
        }
        output = Some((Arc::new(segment), at));
    }

    // 3. Switch the index over.
    let mut report = CompactionReport {
        segments_rewritten: victims.len() as u64,
        ..CompactionReport::default()
    };
    shared.with_writer(|w| {
        let mut moved_bytes = 0;
        if let Some((segment, used_len)) = &output {
            w.index.add_segment(Arc::clone(segment));
            let mut changed = false;
            for ((id, old, value), new) in moves.iter().zip(&new_locs) {
                if w.index.view().get(*id) == *old {
                    changed |= w.index.set_existing(*id, *new);
                    moved_bytes += record::record_len(8 + value.len()) as u64;
                    report.rows_moved += 1;
                }
            }
            w.index.publish_if(changed);
            w.sealed.insert(
                output_number,
                SegStat {
                    kind: SegmentKind::Compacted,
                    used_len: *used_len,
                    live_bytes: moved_bytes,
                },
            );
        }
        let numbers: Vec<u64> = victims.iter().copied().collect();
        for n in &numbers {
            if let Some(stat) = w.sealed.remove(n) {
                report.bytes_reclaimed += stat.used_len;
            }
        }
        report.bytes_reclaimed = report
            .bytes_reclaimed
            .saturating_sub(output.as_ref().map_or(0, |(_, len)| *len));
        w.index.remove_segments(&numbers);
        Ok(())
    })?;

    // 4. Checkpoint, 5. delete the victims.
    shared.checkpoint_locked()?;
    for n in &victims {
        let path = shared.dir.join(dir::segment_file_name(*n));
        crate::storage::faults::check("compaction.remove", &path)
            .and_then(|()| std::fs::remove_file(&path))
            .map_err(|e| Error::io("cannot remove segment", &path, e))?;
    }
    dir::sync_dir(&shared.dir)?;
    Ok(report)
}
