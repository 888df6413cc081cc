package toonstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	toonstore "github.com/toonstore/toonstore-go"
)

func TestPutGetDelete(t *testing.T) {
	db, _ := openTemp(t)
	a := mustPut(t, db, []byte("users[1]{id,name}: 1,Alice"))
	b := mustPut(t, db, []byte("users[1]{id,name}: 2,Bob"))
	if a < 0 || b <= a {
		t.Fatalf("ids %d, %d: want increasing, >= 0", a, b)
	}
	if got := mustGet(t, db, a); string(got) != "users[1]{id,name}: 1,Alice" {
		t.Fatalf("Get(a) = %q", got)
	}
	if ok, err := db.Contains(a); err != nil || !ok {
		t.Fatalf("Contains(a) = %v, %v", ok, err)
	}
	if err := db.Delete(a); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if ok, err := db.Contains(a); err != nil || ok {
		t.Fatalf("Contains(deleted) = %v, %v", ok, err)
	}
	_, err := db.Get(a)
	te := wantErr(t, err, toonstore.ErrNotFound)
	if te == toonstore.ErrNotFound {
		t.Fatal("Get returned the sentinel itself, not an error with the engine's message")
	}
	wantErr(t, db.Delete(a), toonstore.ErrNotFound)
	if got := mustGet(t, db, b); string(got) != "users[1]{id,name}: 2,Bob" {
		t.Fatalf("Get(b) = %q", got)
	}
	// Ids are never reused, also after a delete.
	if c := mustPut(t, db, []byte("c")); c <= b {
		t.Fatalf("id after delete %d <= %d", c, b)
	}
}

func TestNeverAssignedAndBadIDs(t *testing.T) {
	db, _ := openTemp(t)
	mustPut(t, db, []byte("x"))
	_, err := db.Get(1000)
	wantErr(t, err, toonstore.ErrNotFound)
	wantErr(t, db.Delete(1000), toonstore.ErrNotFound)
	if ok, err := db.Contains(1000); err != nil || ok {
		t.Fatalf("Contains(1000) = %v, %v", ok, err)
	}
	_, err = db.Get(-1)
	wantErr(t, err, toonstore.ErrInvalidArg)
	wantErr(t, db.Delete(-1), toonstore.ErrInvalidArg)
	_, err = db.Contains(-5)
	wantErr(t, err, toonstore.ErrInvalidArg)
	it := db.ScanFrom(-1)
	if it.Next() {
		t.Fatal("ScanFrom(-1) yielded a row")
	}
	wantErr(t, it.Err(), toonstore.ErrInvalidArg)
}

func TestEmptyAndLargeRows(t *testing.T) {
	db, _ := openTemp(t)
	e := mustPut(t, db, nil)
	e2 := mustPut(t, db, []byte{})
	for _, id := range []int64{e, e2} {
		v := mustGet(t, db, id)
		if v == nil || len(v) != 0 {
			t.Fatalf("empty row: got %v (nil=%v), want a non-nil empty slice", v, v == nil)
		}
	}
	// Sizes around the scratch buffer (8 KiB, one cgo call below, two
	// above) and the scan's fill buffer (32 KiB, a borrowed "pending" row
	// above).
	sizes := []int{1, 100, 8<<10 - 1, 8 << 10, 8<<10 + 1, 32 << 10, 32<<10 + 1, 1 << 20}
	ids := make([]int64, len(sizes))
	for i, n := range sizes {
		ids[i] = mustPut(t, db, bytes.Repeat([]byte{byte('a' + i)}, n))
	}
	for i, n := range sizes {
		v := mustGet(t, db, ids[i])
		if !bytes.Equal(v, bytes.Repeat([]byte{byte('a' + i)}, n)) {
			t.Fatalf("row of %d bytes read back as %d bytes", n, len(v))
		}
		if cap(v) != len(v) {
			t.Fatalf("row of %d bytes: cap %d, want the exact size", n, cap(v))
		}
	}
	gotIDs, vals := scanAll(t, db.Scan())
	if len(gotIDs) != 2+len(sizes) {
		t.Fatalf("scan yielded %d rows, want %d", len(gotIDs), 2+len(sizes))
	}
	for i, n := range sizes {
		if gotIDs[2+i] != ids[i] || !bytes.Equal(vals[2+i], bytes.Repeat([]byte{byte('a' + i)}, n)) {
			t.Fatalf("scan row %d (%d bytes) wrong", i, n)
		}
	}
	if len(vals[0]) != 0 || len(vals[1]) != 0 {
		t.Fatal("empty rows scanned as non-empty")
	}
}

func TestReturnedBytesAreTheCallers(t *testing.T) {
	db, _ := openTemp(t)
	in := []byte("original")
	id := mustPut(t, db, in)
	copy(in, "CHANGED!") // the library copied on Put
	v := mustGet(t, db, id)
	if string(v) != "original" {
		t.Fatalf("Put kept the caller's buffer: %q", v)
	}
	v[0] = 'X' // the caller owns v
	if w := mustGet(t, db, id); string(w) != "original" {
		t.Fatalf("changing a returned slice changed the row: %q", w)
	}
	for i := 0; i < 600; i++ {
		mustPut(t, db, rowBytes(i))
	}
	it := db.Scan()
	var kept [][]byte
	for it.Next() {
		_, v := it.Value()
		kept = append(kept, v)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	// Later writes and deletes change nothing the caller holds.
	for i := 0; i < 600; i++ {
		mustPut(t, db, bytes.Repeat([]byte{'z'}, 100))
	}
	if err := db.Delete(id + 1); err != nil {
		t.Fatal(err)
	}
	if string(kept[0]) != "original" {
		t.Fatalf("kept[0] = %q", kept[0])
	}
	for i := 0; i < 600; i++ {
		if !bytes.Equal(kept[1+i], rowBytes(i)) {
			t.Fatalf("kept row %d changed: %q", i, kept[1+i])
		}
	}
}

func TestScanIsASnapshotInOrder(t *testing.T) {
	db, _ := openTemp(t)
	var ids []int64
	for i := 0; i < 1000; i++ {
		ids = append(ids, mustPut(t, db, rowBytes(i)))
	}
	for i := 0; i < 1000; i += 3 {
		if err := db.Delete(ids[i]); err != nil {
			t.Fatal(err)
		}
	}
	it := db.Scan()
	// Changes after Scan returned are not seen.
	extra := mustPut(t, db, []byte("after"))
	if err := db.Delete(ids[1]); err != nil {
		t.Fatal(err)
	}
	got, vals := scanAll(t, it)
	var want []int64
	for i := 0; i < 1000; i++ {
		if i%3 != 0 {
			want = append(want, ids[i])
		}
	}
	if len(got) != len(want) {
		t.Fatalf("scan yielded %d rows, want %d", len(got), len(want))
	}
	for k := range want {
		if got[k] != want[k] || !bytes.Equal(vals[k], rowBytes(int(want[k]-ids[0]))) {
			t.Fatalf("row %d: id %d, want %d", k, got[k], want[k])
		}
	}
	if it.Next() {
		t.Fatal("Next after the end returned true")
	}
	// ScanFrom starts at the first live id >= start.
	from, _ := scanAll(t, db.ScanFrom(ids[3]))
	if from[0] != ids[4] || from[len(from)-1] != extra {
		t.Fatalf("ScanFrom(%d) starts at %d ends at %d", ids[3], from[0], from[len(from)-1])
	}
	// Close in the middle: Next is false, no error.
	it = db.Scan()
	if !it.Next() {
		t.Fatal(it.Err())
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if it.Next() || it.Err() != nil {
		t.Fatalf("after Close: Next true or Err %v", it.Err())
	}
	if err := it.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	var _ io.Closer = it
}

func TestScanRangeBoundsReverseAndLastRows(t *testing.T) {
	db, _ := openTemp(t)
	for i := 0; i < 10; i++ {
		mustPut(t, db, rowBytes(i))
	}
	for _, id := range []int64{3, 9} {
		if err := db.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(it *toonstore.Iter) []int64 {
		got, _ := scanAll(t, it)
		return got
	}
	check := func(name string, got []int64, want ...int64) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("%s: got %v, want %v", name, got, want)
		}
	}
	check("[2,6)", ids(db.ScanRange(2, 6, false)), 2, 4, 5)
	check("[2,6) reverse", ids(db.ScanRange(2, 6, true)), 5, 4, 2)
	check("[7,end) reverse", ids(db.ScanRange(7, toonstore.ScanEnd, true)), 8, 7)
	check("[4,4) reverse", ids(db.ScanRange(4, 4, true)))
	// The last two rows, newest first.
	it := db.ScanRange(0, toonstore.ScanEnd, true)
	var last []int64
	for len(last) < 2 && it.Next() {
		id, _ := it.Value()
		last = append(last, id)
	}
	it.Close()
	check("last two", last, 8, 7)
	for _, bad := range [][2]int64{{5, 4}, {-1, 4}, {0, -1}} {
		it := db.ScanRange(bad[0], bad[1], false)
		if it.Next() || !errors.Is(it.Err(), toonstore.ErrInvalidArg) {
			t.Fatalf("ScanRange(%d, %d): Err %v, want ErrInvalidArg", bad[0], bad[1], it.Err())
		}
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db, []byte("later"))
	check("snapshot [6,end) reverse", ids(snap.ScanRange(6, toonstore.ScanEnd, true)), 8, 7, 6)
	it = snap.ScanRange(2, 1, false)
	if it.Next() || !errors.Is(it.Err(), toonstore.ErrInvalidArg) {
		t.Fatalf("snapshot ScanRange(2, 1): Err %v", it.Err())
	}
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	check("after the snapshot", ids(db.ScanRange(9, toonstore.ScanEnd, true)), 10)
	db.Close()
	it = db.ScanRange(0, 1, false)
	if it.Next() || !errors.Is(it.Err(), toonstore.ErrClosed) {
		t.Fatalf("ScanRange on a closed DB: Err %v", it.Err())
	}
}

// A scan started before Close runs to its end afterwards (it reads a
// snapshot), and so does one that had not fetched anything yet.
func TestScanOutlivesClose(t *testing.T) {
	db, _ := openTemp(t)
	for i := 0; i < 700; i++ {
		mustPut(t, db, rowBytes(i))
	}
	started := db.Scan()
	if !started.Next() {
		t.Fatal(started.Err())
	}
	fresh := db.Scan()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ids, vals := scanAll(t, fresh)
	if len(ids) != 700 || !bytes.Equal(vals[699], rowBytes(699)) {
		t.Fatalf("fresh scan after Close: %d rows", len(ids))
	}
	n := 1
	for started.Next() {
		n++
	}
	if started.Err() != nil || n != 700 {
		t.Fatalf("started scan after Close: %d rows, %v", n, started.Err())
	}
}

func TestEmptyDatabaseScan(t *testing.T) {
	db, _ := openTemp(t)
	ids, _ := scanAll(t, db.Scan())
	if len(ids) != 0 {
		t.Fatalf("empty database yielded %v", ids)
	}
}

func TestClosedDatabase(t *testing.T) {
	db, dir := openTemp(t)
	id := mustPut(t, db, []byte("x"))
	var c io.Closer = db
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wantErr(t, db.Close(), toonstore.ErrClosed)
	_, err := db.Put([]byte("y"))
	wantErr(t, err, toonstore.ErrClosed)
	_, err = db.PutWith([]byte("y"), toonstore.DurabilityFull)
	wantErr(t, err, toonstore.ErrClosed)
	_, err = db.Get(id)
	wantErr(t, err, toonstore.ErrClosed)
	_, err = db.Contains(id)
	wantErr(t, err, toonstore.ErrClosed)
	wantErr(t, db.Delete(id), toonstore.ErrClosed)
	wantErr(t, db.Sync(), toonstore.ErrClosed)
	wantErr(t, db.Compact(), toonstore.ErrClosed)
	_, err = db.Stats()
	wantErr(t, err, toonstore.ErrClosed)
	_, err = db.Snapshot()
	wantErr(t, err, toonstore.ErrClosed)
	b := toonstore.NewBatch()
	b.Put([]byte("z"))
	_, err = db.Commit(b)
	wantErr(t, err, toonstore.ErrClosed)
	if b.Len() != 1 {
		t.Fatal("a failed commit emptied the batch")
	}
	it := db.Scan()
	if it.Next() {
		t.Fatal("scan of a closed database yielded a row")
	}
	wantErr(t, it.Err(), toonstore.ErrClosed)
	if db.Path() != dir {
		t.Fatalf("Path() = %q", db.Path())
	}
	// Nothing acknowledged was lost by closing.
	db2, err := toonstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if v := mustGet(t, db2, id); string(v) != "x" {
		t.Fatalf("after reopen: %q", v)
	}
}

func TestOpenErrors(t *testing.T) {
	tmp := t.TempDir()
	_, err := toonstore.Open("bad\x00path")
	wantErr(t, err, toonstore.ErrInvalidArg)

	// A regular file where the directory should be.
	file := filepath.Join(tmp, "file")
	if err := os.WriteFile(file, []byte("not a database"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = toonstore.Open(file)
	wantErr(t, err, toonstore.ErrIO)

	// MustExist on a missing database.
	missing := filepath.Join(tmp, "missing")
	_, err = toonstore.OpenWith(missing, &toonstore.Options{MustExist: true})
	wantErr(t, err, toonstore.ErrIO)
	if _, statErr := os.Stat(missing); !errors.Is(statErr, os.ErrNotExist) {
		t.Fatalf("MustExist created %s", missing)
	}

	// Options Go rejects before calling C.
	_, err = toonstore.OpenWith(filepath.Join(tmp, "d"), &toonstore.Options{Durability: 7})
	wantErr(t, err, toonstore.ErrInvalidArg)
	_, err = toonstore.OpenWith(filepath.Join(tmp, "d"), &toonstore.Options{SyncInterval: -time.Second})
	wantErr(t, err, toonstore.ErrInvalidArg)
	_, err = toonstore.OpenWith(filepath.Join(tmp, "d"), &toonstore.Options{SyncInterval: time.Microsecond})
	wantErr(t, err, toonstore.ErrInvalidArg)
}

func TestLockedByAnotherHandleAndProcess(t *testing.T) {
	db, dir := openTemp(t)
	mustPut(t, db, []byte("x"))
	// A second handle in this process shares the open database (libtoonstore
	// 1.1: one engine per directory and process); each handle closes alone.
	second, err := toonstore.Open(dir)
	if err != nil {
		t.Fatalf("second handle in-process: %v", err)
	}
	if v, err := second.Get(0); err != nil || string(v) != "x" {
		t.Fatalf("second handle reads %q, %v", v, err)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	// Another process holds it.
	_, out, release := startChild(t, "hold", dir)
	line, err := out.ReadString('\n')
	if err != nil || line != "ready\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	_, err = toonstore.Open(dir)
	wantErr(t, err, toonstore.ErrLocked)
	_, err = toonstore.Check(dir)
	wantErr(t, err, toonstore.ErrLocked)
	release()
	// Once the child closed, the database opens again.
	if rest, _ := io.ReadAll(out); len(rest) != 0 {
		t.Fatalf("child said %q", rest)
	}
	db, err = toonstore.Open(dir)
	if err != nil {
		t.Fatalf("reopen after the child released it: %v", err)
	}
	if v := mustGet(t, db, 0); string(v) != "x" {
		t.Fatalf("%q", v)
	}
	db.Close()
}

func TestReadOnly(t *testing.T) {
	db, dir := openTemp(t)
	id := mustPut(t, db, []byte("kept"))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ro, err := toonstore.OpenWith(dir, &toonstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	// Read-only handles share the database.
	ro2, err := toonstore.OpenWith(dir, &toonstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("second read-only handle: %v", err)
	}
	defer ro2.Close()
	if v := mustGet(t, ro, id); string(v) != "kept" {
		t.Fatalf("%q", v)
	}
	_, err = ro.Put([]byte("no"))
	wantErr(t, err, toonstore.ErrReadOnly)
	wantErr(t, ro.Delete(id), toonstore.ErrReadOnly)
	b := toonstore.NewBatch()
	b.Put([]byte("no"))
	_, err = ro.Commit(b)
	wantErr(t, err, toonstore.ErrReadOnly)
	if ids, _ := scanAll(t, ro.Scan()); len(ids) != 1 {
		t.Fatalf("read-only scan: %v", ids)
	}
	if v := mustGet(t, ro2, id); string(v) != "kept" {
		t.Fatalf("%q", v)
	}
}

func TestOptionsAndTooLarge(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, err := toonstore.OpenWith(dir, &toonstore.Options{
		Durability:    toonstore.DurabilityFull,
		SkipChecksums: true,
		SyncInterval:  50 * time.Millisecond,
		MaxValueSize:  1000,
		SegmentSize:   1 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ok := mustPut(t, db, make([]byte, 1000))
	_, err = db.Put(make([]byte, 1001))
	wantErr(t, err, toonstore.ErrTooLarge)
	b := toonstore.NewBatch()
	b.Put([]byte("fits"))
	b.Put(make([]byte, 1001))
	_, err = db.Commit(b)
	wantErr(t, err, toonstore.ErrTooLarge)
	if b.Len() != 2 {
		t.Fatal("failed commit changed the batch")
	}
	// Nothing of the failed batch was written.
	if ids, _ := scanAll(t, db.Scan()); len(ids) != 1 || ids[0] != ok {
		t.Fatalf("rows after failed batch: %v", ids)
	}
	for _, d := range []toonstore.Durability{toonstore.DurabilityOff, toonstore.DurabilityNormal, toonstore.DurabilityFull} {
		id, err := db.PutWith([]byte("w"), d)
		if err != nil {
			t.Fatalf("PutWith(%d): %v", d, err)
		}
		if v := mustGet(t, db, id); string(v) != "w" {
			t.Fatal(v)
		}
	}
	_, err = db.PutWith([]byte("w"), toonstore.Durability(-1))
	wantErr(t, err, toonstore.ErrInvalidArg)
	// The small segment size makes more than one segment.
	for i := 0; i < 30; i++ {
		mustPut(t, db, make([]byte, 1000))
	}
	// Durability Off opens too.
	dir2 := filepath.Join(t.TempDir(), "off")
	db2, err := toonstore.OpenWith(dir2, &toonstore.Options{Durability: toonstore.DurabilityOff})
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, db2, []byte("off"))
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestBatch(t *testing.T) {
	db, _ := openTemp(t)
	var b toonstore.Batch // the zero value is usable
	if first, err := db.Commit(&b); err != nil || first != -1 {
		t.Fatalf("empty batch: %d, %v", first, err)
	}
	if first, err := db.Commit(nil); err != nil || first != -1 {
		t.Fatalf("nil batch: %d, %v", first, err)
	}
	keep := mustPut(t, db, []byte("keep"))
	gone := mustPut(t, db, []byte("gone"))
	buf := []byte("one")
	b.Put(buf)
	copy(buf, "XXX") // Put copied
	b.Put(nil)
	b.Put([]byte("three"))
	b.Delete(gone)
	if b.Len() != 4 {
		t.Fatalf("Len = %d", b.Len())
	}
	first, err := db.Commit(&b)
	if err != nil {
		t.Fatal(err)
	}
	if first <= gone {
		t.Fatalf("first id %d", first)
	}
	if b.Len() != 0 {
		t.Fatal("a committed batch was not reset")
	}
	for i, want := range []string{"one", "", "three"} {
		if v := mustGet(t, db, first+int64(i)); string(v) != want {
			t.Fatalf("row %d = %q, want %q", i, v, want)
		}
	}
	_, err = db.Get(gone)
	wantErr(t, err, toonstore.ErrNotFound)

	// All or nothing: a delete of an absent row fails the whole batch.
	b.Put([]byte("never"))
	b.Delete(keep)
	b.Delete(gone)
	_, err = db.Commit(&b)
	wantErr(t, err, toonstore.ErrNotFound)
	if b.Len() != 3 {
		t.Fatal("failed commit changed the batch")
	}
	if v := mustGet(t, db, keep); string(v) != "keep" {
		t.Fatal("a failed batch deleted a row")
	}
	st, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if st.LiveRows != 4 {
		t.Fatalf("a failed batch wrote: %d live rows", st.LiveRows)
	}
	b.Reset()
	b.Delete(-3)
	_, err = db.Commit(&b)
	wantErr(t, err, toonstore.ErrInvalidArg)
	// A batch of only deletes reports -1.
	b.Reset()
	b.Delete(keep)
	if first, err := db.Commit(&b); err != nil || first != -1 {
		t.Fatalf("delete-only batch: %d %v", first, err)
	}
}

func TestStatsSyncCompact(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "db")
	db, err := toonstore.OpenWith(dir, &toonstore.Options{SegmentSize: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var ids []int64
	for i := 0; i < 5000; i++ {
		ids = append(ids, mustPut(t, db, rowBytes(i)))
	}
	for _, id := range ids[:4000] {
		if err := db.Delete(id); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Sync(); err != nil {
		t.Fatal(err)
	}
	before, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if before.LiveRows != 1000 || before.DeletedRows != 4000 || before.NextRowID != ids[4999]+1 {
		t.Fatalf("stats %+v", before)
	}
	if before.GarbageFraction <= 0.5 || before.SegmentCount < 2 || before.DiskBytes == 0 || before.LiveBytes == 0 {
		t.Fatalf("stats %+v", before)
	}
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	if err := db.Compact(); err != nil {
		t.Fatal(err)
	}
	after, err := db.Stats()
	if err != nil {
		t.Fatal(err)
	}
	if after.GarbageFraction >= before.GarbageFraction || after.LiveRows != 1000 {
		t.Fatalf("compaction did not reclaim: before %+v after %+v", before, after)
	}
	// Row ids and contents survive compaction; a snapshot taken before
	// still reads.
	for i := 4000; i < 5000; i++ {
		if v := mustGet(t, db, ids[i]); !bytes.Equal(v, rowBytes(i)) {
			t.Fatalf("row %d after compaction: %q", i, v)
		}
		if v, err := snap.Get(ids[i]); err != nil || !bytes.Equal(v, rowBytes(i)) {
			t.Fatalf("snapshot row %d after compaction: %q %v", i, v, err)
		}
	}
}

func TestSnapshot(t *testing.T) {
	db, _ := openTemp(t)
	a := mustPut(t, db, []byte("a"))
	b := mustPut(t, db, []byte("b"))
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	c := mustPut(t, db, []byte("c"))
	if err := db.Delete(a); err != nil {
		t.Fatal(err)
	}
	if v, err := snap.Get(a); err != nil || string(v) != "a" {
		t.Fatalf("snapshot Get(a) = %q, %v", v, err)
	}
	_, err = snap.Get(c)
	wantErr(t, err, toonstore.ErrNotFound)
	_, err = snap.Get(-1)
	wantErr(t, err, toonstore.ErrInvalidArg)
	ids, vals := scanAll(t, snap.Scan())
	if len(ids) != 2 || ids[0] != a || ids[1] != b || string(vals[0]) != "a" || string(vals[1]) != "b" {
		t.Fatalf("snapshot scan %v %q", ids, vals)
	}
	ids, _ = scanAll(t, snap.ScanFrom(b))
	if len(ids) != 1 || ids[0] != b {
		t.Fatalf("snapshot ScanFrom %v", ids)
	}
	// An iterator keeps working after its snapshot is closed, and the
	// snapshot after its database is closed.
	it := snap.Scan()
	snap2, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := snap.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, snap.Close(), toonstore.ErrClosed)
	_, err = snap.Get(a)
	wantErr(t, err, toonstore.ErrClosed)
	it2 := snap.Scan()
	if it2.Next() {
		t.Fatal("scan of a closed snapshot yielded a row")
	}
	wantErr(t, it2.Err(), toonstore.ErrClosed)
	ids, _ = scanAll(t, it)
	if len(ids) != 2 {
		t.Fatalf("iterator after snapshot close: %v", ids)
	}
	if v, err := snap2.Get(c); err != nil || string(v) != "c" {
		t.Fatalf("snapshot after db close: %q %v", v, err)
	}
	ids, _ = scanAll(t, snap2.Scan())
	if len(ids) != 2 || ids[0] != b || ids[1] != c {
		t.Fatalf("snapshot scan after db close: %v", ids)
	}
	if err := snap2.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCheckAndCorruption(t *testing.T) {
	db, dir := openTemp(t)
	var ids []int64
	for i := 0; i < 100; i++ {
		ids = append(ids, mustPut(t, db, rowBytes(i)))
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err := toonstore.Check(dir)
	if err != nil {
		t.Fatalf("Check of a healthy database: %v", err)
	}
	if rep.LiveRows != 100 || rep.Records < 100 || rep.Segments == 0 || rep.FirstProblem != "" {
		t.Fatalf("report %+v", rep)
	}
	_, err = toonstore.Check(filepath.Join(dir, "nope"))
	if err == nil {
		t.Fatal("Check of a missing directory succeeded")
	}
	var te *toonstore.Error
	if !errors.As(err, &te) || te.Message == "" {
		t.Fatalf("Check error %v", err)
	}
	_, err = toonstore.Check("a\x00b")
	wantErr(t, err, toonstore.ErrInvalidArg)

	// Flip a byte inside the 50th row's value in the segment file, once
	// while the database is open (reads check each record's CRC) and then
	// closed (Check and Open find it).
	db, err = toonstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	seg := findSegment(t, dir)
	raw, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(raw, rowBytes(50))
	if at < 0 {
		t.Fatal("row 50 not found in the segment")
	}
	f, err := os.OpenFile(seg, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{raw[at+10] ^ 0xff}, int64(at+10)); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = db.Get(ids[50])
	wantErr(t, err, toonstore.ErrCorrupt)
	if v := mustGet(t, db, ids[49]); !bytes.Equal(v, rowBytes(49)) {
		t.Fatal("neighbour row damaged")
	}
	// A scan delivers the rows before the damaged one, then the error.
	it := db.Scan()
	n := 0
	for it.Next() {
		n++
	}
	wantErr(t, it.Err(), toonstore.ErrCorrupt)
	if n > 50 {
		t.Fatalf("scan yielded %d rows before the corrupt one", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	rep, err = toonstore.Check(dir)
	wantErr(t, err, toonstore.ErrCorrupt)
	if rep.FirstProblem == "" {
		t.Fatalf("corrupt report has no problem: %+v", rep)
	}
	_, err = toonstore.Open(dir)
	te = wantErr(t, err, toonstore.ErrCorrupt)
	if !strings.Contains(te.Message, filepath.Base(seg)) {
		t.Fatalf("corrupt message does not name the file: %q", te.Message)
	}
}

// SkipChecksums: a damaged record reads back as it is instead of failing;
// MustExist opens an existing database.
func TestSkipChecksumsAndMustExist(t *testing.T) {
	db, dir := openTemp(t)
	id := mustPut(t, db, rowBytes(7))
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := toonstore.OpenWith(dir, &toonstore.Options{MustExist: true, SkipChecksums: true})
	if err != nil {
		t.Fatalf("MustExist on an existing database: %v", err)
	}
	defer db.Close()
	seg := findSegment(t, dir)
	raw, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(raw, rowBytes(7))
	f, err := os.OpenFile(seg, os.O_WRONLY, 0)
	if err != nil || at < 0 {
		t.Fatal(at, err)
	}
	if _, err := f.WriteAt([]byte{'#'}, int64(at)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	v, err := db.Get(id)
	if err != nil || v[0] != '#' || !bytes.Equal(v[1:], rowBytes(7)[1:]) {
		t.Fatalf("unchecked read of a damaged row: %q %v", v, err)
	}
}

// findSegment returns the largest file of the database directory (its log
// segment, with 100 small rows there is one).
func findSegment(t *testing.T, dir string) string {
	t.Helper()
	var best string
	var size int64 = -1
	err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() && info.Size() > size {
			best, size = p, info.Size()
		}
		return nil
	})
	if err != nil || best == "" {
		t.Fatalf("no segment in %s: %v", dir, err)
	}
	return best
}

func TestReopenPersistence(t *testing.T) {
	db, dir := openTemp(t)
	want := map[int64][]byte{}
	for i := 0; i < 2000; i++ {
		want[mustPut(t, db, rowBytes(i))] = rowBytes(i)
	}
	for id := range want {
		if id%7 == 0 {
			if err := db.Delete(id); err != nil {
				t.Fatal(err)
			}
			delete(want, id)
		}
	}
	st, _ := db.Stats()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ {
		db, err := toonstore.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		ids, vals := scanAll(t, db.Scan())
		if len(ids) != len(want) {
			t.Fatalf("round %d: %d rows after reopen, want %d", round, len(ids), len(want))
		}
		for k, id := range ids {
			if !bytes.Equal(vals[k], want[id]) {
				t.Fatalf("row %d after reopen: %q", id, vals[k])
			}
		}
		// Ids keep increasing across reopen.
		id := mustPut(t, db, []byte("new"))
		if id < st.NextRowID {
			t.Fatalf("id %d reused (next was %d)", id, st.NextRowID)
		}
		want[id] = []byte("new")
		st, _ = db.Stats()
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestErrorsAndSentinels(t *testing.T) {
	sentinels := map[string]*toonstore.Error{
		"TOONSTORE_ERR_INVALID_ARG":      toonstore.ErrInvalidArg,
		"TOONSTORE_ERR_NOT_FOUND":        toonstore.ErrNotFound,
		"TOONSTORE_ERR_IO":               toonstore.ErrIO,
		"TOONSTORE_ERR_CORRUPT":          toonstore.ErrCorrupt,
		"TOONSTORE_ERR_LOCKED":           toonstore.ErrLocked,
		"TOONSTORE_ERR_TOO_LARGE":        toonstore.ErrTooLarge,
		"TOONSTORE_ERR_READ_ONLY":        toonstore.ErrReadOnly,
		"TOONSTORE_ERR_VERSION":          toonstore.ErrVersion,
		"TOONSTORE_ERR_NOMEM":            toonstore.ErrNoMem,
		"TOONSTORE_ERR_INTERNAL":         toonstore.ErrInternal,
		"TOONSTORE_ERR_CLOSED":           toonstore.ErrClosed,
		"TOONSTORE_ERR_BUFFER_TOO_SMALL": toonstore.ErrBufferTooSmall,
		"TOONSTORE_ERR_POISONED":         toonstore.ErrPoisoned,
		"TOONSTORE_ERR_FORKED":           toonstore.ErrForked,
	}
	codes := map[int]string{}
	for name, e := range sentinels {
		if e.Name != name {
			t.Errorf("sentinel for %s is named %s", name, e.Name)
		}
		if e.Code >= 0 || e.Message == "" || e.Message == "unknown error code" {
			t.Errorf("%s: code %d message %q", name, e.Code, e.Message)
		}
		if other, dup := codes[e.Code]; dup {
			t.Errorf("%s and %s share code %d", name, other, e.Code)
		}
		codes[e.Code] = name
		for _, o := range sentinels {
			if errors.Is(e, o) != (o == e) {
				t.Errorf("errors.Is(%s, %s) = %v", e.Name, o.Name, !(o == e))
			}
		}
	}
	// Codes are the C values (docs/c/CONTRACT.md: values never change).
	for code, name := range map[int]string{-1: "TOONSTORE_ERR_INVALID_ARG", -2: "TOONSTORE_ERR_NOT_FOUND", -5: "TOONSTORE_ERR_LOCKED", -11: "TOONSTORE_ERR_CLOSED", -14: "TOONSTORE_ERR_FORKED"} {
		if codes[code] != name {
			t.Errorf("code %d is %s, want %s", code, codes[code], name)
		}
	}
	// A wrapped error still matches.
	db, _ := openTemp(t)
	_, err := db.Get(99)
	wrapped := fmt.Errorf("context: %w", err)
	if !errors.Is(wrapped, toonstore.ErrNotFound) || errors.Is(wrapped, toonstore.ErrLocked) {
		t.Fatal("wrapped error does not match its sentinel only")
	}
}

func TestVersion(t *testing.T) {
	v := toonstore.Version()
	if v == "" || v != toonstore.HeaderVersion {
		t.Fatalf("library %q, header %q", v, toonstore.HeaderVersion)
	}
}
