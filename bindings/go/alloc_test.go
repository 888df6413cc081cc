package toonstore_test

import (
	"bytes"
	"runtime"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// No allocation per call beyond the slice returned: Put, Delete, Contains
// and Commit allocate nothing, Get and Snapshot.Get exactly their result,
// and a scan one slice per Value and nothing per ValueRef. Counted on top of
// what a cgo call passing the handle allocates with this toolchain (0 with
// current Go; 1 with Go 1.19, in cgo's pointer check of the argument).
func TestAllocationsPerCall(t *testing.T) {
	db, _ := openTemp(t)
	base := testing.AllocsPerRun(200, func() { toonstore.CgoNoop(db) })
	t.Logf("a cgo call passing the handle allocates %v times with %s", base, runtime.Version())
	row := rowBytes(1)
	for i := 0; i < 3000; i++ {
		mustPut(t, db, row)
	}
	check := func(name string, want float64, f func()) {
		t.Helper()
		if name != "Iter.Next + ValueRef" && name != "Iter.Next + Value" {
			want += base // one cgo call per operation; a scan's Next rarely calls C
		}
		if got := testing.AllocsPerRun(200, f); got != want {
			t.Errorf("%s: %v allocations per call, want %v", name, got, want)
		}
	}
	check("Put", 0, func() {
		if _, err := db.Put(row); err != nil {
			t.Fatal(err)
		}
	})
	check("Get", 1, func() {
		if v, err := db.Get(7); err != nil || len(v) != len(row) {
			t.Fatal(err)
		}
	})
	check("Contains", 0, func() {
		if ok, err := db.Contains(7); err != nil || !ok {
			t.Fatal(err)
		}
	})
	next := int64(0)
	check("Delete", 0, func() {
		if err := db.Delete(next); err != nil {
			t.Fatal(err)
		}
		next++
	})
	b := toonstore.NewBatch()
	check("Batch.Put + Commit", 0, func() {
		b.Put(row)
		b.Put(row)
		if _, err := db.Commit(b); err != nil {
			t.Fatal(err)
		}
	})
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	check("Snapshot.Get", 1, func() {
		if _, err := snap.Get(500); err != nil {
			t.Fatal(err)
		}
	})
	it := db.Scan()
	defer it.Close()
	check("Iter.Next + ValueRef", 0, func() {
		if !it.Next() {
			t.Fatal(it.Err())
		}
		if _, v := it.ValueRef(); !bytes.Equal(v, row) {
			t.Fatal("ValueRef")
		}
	})
	check("Iter.Next + Value", 1, func() {
		if !it.Next() {
			t.Fatal(it.Err())
		}
		if _, v := it.Value(); !bytes.Equal(v, row) {
			t.Fatal("Value")
		}
	})
}

func TestValueAndValueRef(t *testing.T) {
	db, _ := openTemp(t)
	big := bytes.Repeat([]byte{'B'}, 40<<10) // larger than a fill: copied by Next
	for i := 0; i < 300; i++ {
		mustPut(t, db, rowBytes(i))
		if i == 150 {
			mustPut(t, db, big)
		}
	}
	it := db.Scan()
	if id, v := it.Value(); id != 0 || v != nil {
		t.Fatal("Value before Next returned a row")
	}
	var kept [][]byte
	for it.Next() {
		id, ref := it.ValueRef()
		id2, v := it.Value()
		_, again := it.Value()
		if id != id2 || !bytes.Equal(ref, v) || &again[0] != &v[0] {
			t.Fatalf("row %d: ValueRef and Value disagree, or Value copied twice", id)
		}
		kept = append(kept, v)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if len(kept) != 301 || !bytes.Equal(kept[151], big) || !bytes.Equal(kept[300], rowBytes(299)) {
		t.Fatalf("%d rows", len(kept))
	}
	if id, v := it.ValueRef(); id != 0 || v != nil {
		t.Fatal("ValueRef after the end returned a row")
	}
}
