package toonstore_test

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// Many goroutines put, get, delete, scan, commit batches and read
// snapshots on one DB; every row read back is the row written under that id.
func TestManyGoroutines(t *testing.T) {
	db, _ := openTemp(t)
	const workers, perWorker = 8, 300
	var wg sync.WaitGroup
	errs := make(chan error, workers*4)
	var mu sync.Mutex
	written := map[int64][]byte{}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			var mine []int64
			b := toonstore.NewBatch()
			for i := 0; i < perWorker; i++ {
				v := []byte(fmt.Sprintf("worker %d row %d", w, i))
				id, err := db.Put(v)
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				written[id] = v
				mu.Unlock()
				mine = append(mine, id)
				got, err := db.Get(id)
				if err != nil || !bytes.Equal(got, v) {
					errs <- fmt.Errorf("Get(%d) = %q, %v; want %q", id, got, err, v)
					return
				}
				if i%50 == 0 {
					b.Put([]byte("batch a"))
					b.Put([]byte("batch b"))
					first, err := db.Commit(b)
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					written[first] = []byte("batch a")
					written[first+1] = []byte("batch b")
					mu.Unlock()
				}
				if i%75 == 0 {
					it := db.Scan()
					prev := int64(-1)
					for it.Next() {
						id, _ := it.Value()
						if id <= prev {
							errs <- fmt.Errorf("scan out of order: %d after %d", id, prev)
						}
						prev = id
					}
					if err := it.Err(); err != nil {
						errs <- err
					}
					snap, err := db.Snapshot()
					if err != nil {
						errs <- err
						return
					}
					if _, err := snap.Get(id); err != nil {
						errs <- err
					}
					snap.Close()
				}
				if i%100 == 0 {
					if _, err := db.Stats(); err != nil {
						errs <- err
					}
				}
				if i%10 == 0 {
					if err := db.Delete(mine[0]); err != nil {
						errs <- err
						return
					}
					mu.Lock()
					delete(written, mine[0])
					mu.Unlock()
					mine = mine[1:]
				}
			}
		}(w)
	}
	// A snapshot shared by readers on several goroutines at once.
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				if _, err := snap.Get(int64(i)); err != nil && !errors.Is(err, toonstore.ErrNotFound) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	snap.Close()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	ids, vals := scanAll(t, db.Scan())
	if len(ids) != len(written) {
		t.Fatalf("%d rows, want %d", len(ids), len(written))
	}
	for k, id := range ids {
		if !bytes.Equal(vals[k], written[id]) {
			t.Fatalf("row %d = %q, want %q", id, vals[k], written[id])
		}
	}
}

// Close while other goroutines are calling: each call either works or
// returns ErrClosed; nothing crashes, and everything acknowledged is there
// after reopening.
func TestCloseWhileInUse(t *testing.T) {
	db, dir := openTemp(t)
	var wg sync.WaitGroup
	acked := make(chan int64, 100000)
	start := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for {
				id, err := db.Put([]byte("row"))
				if err != nil {
					if !errors.Is(err, toonstore.ErrClosed) {
						t.Errorf("Put: %v", err)
					}
					return
				}
				acked <- id
				if _, err := db.Get(id); err != nil && !errors.Is(err, toonstore.ErrClosed) {
					t.Errorf("Get: %v", err)
					return
				}
				it := db.Scan()
				it.Next()
				it.Close()
				if err := it.Err(); err != nil && !errors.Is(err, toonstore.ErrClosed) {
					t.Errorf("Scan: %v", err)
					return
				}
			}
		}()
	}
	close(start)
	for len(acked) < 200 {
		// Wait for the writers to make progress, without timing anything.
		if err := db.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(acked)
	db, err := toonstore.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	for id := range acked {
		if v, err := db.Get(id); err != nil || string(v) != "row" {
			t.Fatalf("acknowledged row %d lost: %q %v", id, v, err)
		}
		n++
	}
	if n < 200 {
		t.Fatalf("only %d acknowledged", n)
	}
}
