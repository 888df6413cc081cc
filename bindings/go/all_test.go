//go:build go1.23

package toonstore_test

import (
	"bytes"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

func TestAllRangeOverFunc(t *testing.T) {
	db, _ := openTemp(t)
	var ids []int64
	for i := 0; i < 700; i++ {
		ids = append(ids, mustPut(t, db, rowBytes(i)))
	}
	if err := db.Delete(ids[5]); err != nil {
		t.Fatal(err)
	}
	n := 0
	for id, data := range db.All() {
		if id == ids[5] {
			t.Fatal("All yielded a deleted row")
		}
		if !bytes.Equal(data, rowBytes(int(id-ids[0]))) {
			t.Fatalf("row %d = %q", id, data)
		}
		n++
	}
	if n != 699 {
		t.Fatalf("All yielded %d rows", n)
	}
	// break stops early and releases the scan.
	n = 0
	for range db.All() {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatal(n)
	}
	// Iter.All with Err.
	it := db.ScanFrom(ids[690])
	n = 0
	for id := range it.All() {
		if id < ids[690] {
			t.Fatal(id)
		}
		n++
	}
	if it.Err() != nil || n != 10 {
		t.Fatalf("%d rows, %v", n, it.Err())
	}
	// Snapshot.All sees the snapshot's moment.
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	mustPut(t, db, []byte("later"))
	n = 0
	for range snap.All() {
		n++
	}
	if n != 699 {
		t.Fatalf("snapshot All yielded %d", n)
	}
	// An error ends All early (here: a closed database yields nothing);
	// Iter.All reports it through Err.
	db.Close()
	for id := range db.All() {
		t.Fatalf("closed database yielded %d", id)
	}
	it = db.Scan()
	for range it.All() {
		t.Fatal("closed database yielded a row")
	}
	wantErr(t, it.Err(), toonstore.ErrClosed)
}
