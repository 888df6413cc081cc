package toonstore_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"sort"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// FuzzOps runs a sequence of operations decoded from the fuzzer's bytes
// against a DB and against a map (the model), and checks after each step
// that both agree: put, get, delete, contains, batch commit (with a bad
// delete now and then, which must change nothing), scan, snapshot, reopen.
// The suite runs it for a short time with -fuzz; plain `go test` runs the
// seeds.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 5, 0, 9, 1, 0, 2, 0, 3, 1, 4, 5, 6, 7})
	f.Add([]byte{0, 200, 0, 0, 5, 2, 6, 0, 1, 1, 2, 1, 7, 4, 3})
	f.Add([]byte{4, 1, 2, 3, 0, 10, 6, 2, 0, 1, 5, 0, 3, 0, 7, 7})
	f.Fuzz(func(t *testing.T, prog []byte) {
		if len(prog) > 400 {
			prog = prog[:400]
		}
		dir := filepath.Join(t.TempDir(), "db")
		opts := &toonstore.Options{Durability: toonstore.DurabilityOff, MaxValueSize: 4096, SegmentSize: 64 << 10}
		db, err := toonstore.OpenWith(dir, opts)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { db.Close() }()
		model := map[int64][]byte{}
		var assigned []int64
		next := int64(0)
		pick := func(b byte) int64 {
			// Mostly ids that were assigned, sometimes others.
			if len(assigned) > 0 && b%4 != 0 {
				return assigned[int(b)%len(assigned)]
			}
			return int64(b) - 8
		}
		val := func(n byte, seed int) []byte {
			size := int(n) * 37
			if n == 255 {
				size = 4097 // over MaxValueSize
			}
			v := make([]byte, size)
			for i := range v {
				v[i] = byte(seed + i)
			}
			return v
		}
		arg := func(i int) byte {
			if i < len(prog) {
				return prog[i]
			}
			return 0
		}
		for pc := 0; pc < len(prog); pc += 2 {
			op, a := prog[pc]%8, arg(pc+1)
			switch op {
			case 0: // put
				v := val(a, pc)
				id, err := db.Put(v)
				if len(v) > 4096 {
					if !errors.Is(err, toonstore.ErrTooLarge) {
						t.Fatalf("oversize put: %d %v", id, err)
					}
					continue
				}
				if err != nil || id != next {
					t.Fatalf("put: id %d (want %d) %v", id, next, err)
				}
				model[id] = v
				assigned = append(assigned, id)
				next++
			case 1: // get
				id := pick(a)
				v, err := db.Get(id)
				checkRead(t, id, v, err, model)
			case 2: // delete
				id := pick(a)
				err := db.Delete(id)
				if _, live := model[id]; live {
					if err != nil {
						t.Fatalf("delete %d: %v", id, err)
					}
					delete(model, id)
				} else if id < 0 && !errors.Is(err, toonstore.ErrInvalidArg) || id >= 0 && !errors.Is(err, toonstore.ErrNotFound) {
					t.Fatalf("delete absent %d: %v", id, err)
				}
			case 3: // contains
				id := pick(a)
				ok, err := db.Contains(id)
				_, live := model[id]
				if id < 0 {
					if !errors.Is(err, toonstore.ErrInvalidArg) {
						t.Fatalf("contains %d: %v", id, err)
					}
				} else if err != nil || ok != live {
					t.Fatalf("contains %d = %v %v, model %v", id, ok, err, live)
				}
			case 4: // batch: a%4 puts, one delete; a bad delete fails it whole
				b := toonstore.NewBatch()
				var puts [][]byte
				for i := 0; i < int(a%4); i++ {
					v := val(a/4+byte(i), pc+i)
					if len(v) > 4096 {
						v = v[:10]
					}
					b.Put(v)
					puts = append(puts, v)
				}
				del := pick(a / 3)
				b.Delete(del)
				_, live := model[del]
				first, err := db.Commit(b)
				if !live {
					if err == nil {
						t.Fatalf("batch deleting absent %d committed", del)
					}
					if b.Len() != len(puts)+1 {
						t.Fatal("failed batch changed")
					}
					continue
				}
				if err != nil {
					t.Fatalf("batch: %v", err)
				}
				if len(puts) > 0 && first != next || len(puts) == 0 && first != -1 {
					t.Fatalf("batch first %d, want %d", first, next)
				}
				for _, v := range puts {
					model[next] = v
					assigned = append(assigned, next)
					next++
				}
				delete(model, del)
			case 5: // scan from
				start := int64(a % 16)
				ids, vals := scanAll(t, db.ScanFrom(start))
				checkScan(t, ids, vals, model, start)
			case 6: // snapshot: later changes are not seen
				snap, err := db.Snapshot()
				if err != nil {
					t.Fatal(err)
				}
				frozen := make(map[int64][]byte, len(model))
				for k, v := range model {
					frozen[k] = v
				}
				if _, err := db.Put([]byte("after")); err != nil {
					t.Fatal(err)
				}
				model[next] = []byte("after")
				assigned = append(assigned, next)
				next++
				ids, vals := scanAll(t, snap.Scan())
				checkScan(t, ids, vals, frozen, 0)
				id := pick(a)
				v, err := snap.Get(id)
				checkRead(t, id, v, err, frozen)
				snap.Close()
			case 7: // reopen
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				db, err = toonstore.OpenWith(dir, opts)
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		ids, vals := scanAll(t, db.Scan())
		checkScan(t, ids, vals, model, 0)
	})
}

func checkRead(t *testing.T, id int64, v []byte, err error, model map[int64][]byte) {
	t.Helper()
	want, live := model[id]
	switch {
	case live:
		if err != nil || !bytes.Equal(v, want) {
			t.Fatalf("get %d = %d bytes, %v; want %d bytes", id, len(v), err, len(want))
		}
	case id < 0:
		if !errors.Is(err, toonstore.ErrInvalidArg) {
			t.Fatalf("get %d: %v", id, err)
		}
	default:
		if !errors.Is(err, toonstore.ErrNotFound) {
			t.Fatalf("get absent %d: %v", id, err)
		}
	}
}

func checkScan(t *testing.T, ids []int64, vals [][]byte, model map[int64][]byte, start int64) {
	t.Helper()
	var want []int64
	for id := range model {
		if id >= start {
			want = append(want, id)
		}
	}
	sort.Slice(want, func(i, j int) bool { return want[i] < want[j] })
	if len(ids) != len(want) {
		t.Fatalf("scan from %d: %d rows, model %d", start, len(ids), len(want))
	}
	for k := range want {
		if ids[k] != want[k] || !bytes.Equal(vals[k], model[want[k]]) {
			t.Fatalf("scan row %d: id %d, want %d", k, ids[k], want[k])
		}
	}
}
