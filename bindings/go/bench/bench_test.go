// Package bench compares the Go binding of ToonStore with bbolt
// (go.etcd.io/bbolt) on the same rows of about 100 bytes. It is a separate
// module so that the binding itself depends on nothing.
//
//	go test -bench . -count 5 -benchtime 1s
//
// Each workload is one Benchmark<Op> with the sub-benchmarks "toonstore"
// and "bbolt"; ns/op is per row. The rules, the same for both stores:
//
//   - Put: one commit per row, no fsync (ToonStore DurabilityOff, bbolt
//     NoSync and one Update transaction per Put).
//   - Get: random ids of a preloaded database; each Get returns a copy the
//     caller owns (ToonStore Get; bbolt one View transaction per Get, the
//     value copied out of it, since it is only valid inside).
//   - Scan: rows per second of a full scan in id order, repeated. By
//     default both stores lend each row without copying (ToonStore
//     Iter.ValueRef, valid until Next; bbolt's cursor, valid inside the
//     transaction); with TOONSTORE_BENCH_SCAN_COPY=1 both hand out a copy
//     the caller owns (Iter.Value; bbolt's value appended to a new slice).
//   - PutBatch: rows per second committed in batches of 1000 rows (one
//     Batch/Commit, one Update transaction), no fsync.
//
// TOONSTORE_BENCH_ROWS sets the size of the preloaded database of Get and
// Scan (default 100000).
package bench

import (
	"encoding/binary"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	toonstore "github.com/toonstore/toonstore-go"
	bolt "go.etcd.io/bbolt"
)

var bucket = []byte("rows")

// scanCopy: BenchmarkScan hands out owned copies instead of borrowed rows.
var scanCopy = os.Getenv("TOONSTORE_BENCH_SCAN_COPY") == "1"

const batchRows = 1000

// preloadRows is the size of the databases Get and Scan read.
func preloadRows() int {
	if s := os.Getenv("TOONSTORE_BENCH_ROWS"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n > 0 {
			if n > 1000000 {
				n = 1000000
			}
			return n
		}
	}
	return 100000
}

// row is the i-th row of every workload: 100 bytes.
func row(i int) []byte {
	s := fmt.Sprintf("users[1]{id,name,email}: %d,User %d,user%d@example.com|", i, i, i)
	b := make([]byte, 100)
	copy(b, s)
	for k := len(s); k < len(b); k++ {
		b[k] = '.'
	}
	return b
}

func rows(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = row(i)
	}
	return out
}

func key(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

func openToonStore(b *testing.B) *toonstore.DB {
	b.Helper()
	db, err := toonstore.OpenWith(filepath.Join(b.TempDir(), "ts"), &toonstore.Options{Durability: toonstore.DurabilityOff})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func openBolt(b *testing.B) *bolt.DB {
	b.Helper()
	db, err := bolt.Open(filepath.Join(b.TempDir(), "bolt.db"), 0o600, &bolt.Options{NoSync: true, NoFreelistSync: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucket)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// loadToonStore puts n rows in batches and returns their ids.
func loadToonStore(b *testing.B, db *toonstore.DB, data [][]byte) []int64 {
	b.Helper()
	ids := make([]int64, 0, len(data))
	batch := toonstore.NewBatch()
	for i, r := range data {
		batch.Put(r)
		if batch.Len() == batchRows || i == len(data)-1 {
			n := batch.Len()
			first, err := db.Commit(batch)
			if err != nil {
				b.Fatal(err)
			}
			for k := 0; k < n; k++ {
				ids = append(ids, first+int64(k))
			}
		}
	}
	return ids
}

func loadBolt(b *testing.B, db *bolt.DB, data [][]byte) []uint64 {
	b.Helper()
	ids := make([]uint64, 0, len(data))
	for start := 0; start < len(data); start += batchRows {
		end := start + batchRows
		if end > len(data) {
			end = len(data)
		}
		if err := db.Update(func(tx *bolt.Tx) error {
			bk := tx.Bucket(bucket)
			for _, r := range data[start:end] {
				id, _ := bk.NextSequence()
				if err := bk.Put(key(id), r); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	return ids
}

// cpuTime is the CPU time the process has used (all threads: the
// benchmark's goroutine, the garbage collector, the library's threads).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs the timed part of a sub-benchmark and reports, besides
// ns/op (wall time per row), rows/s and cpu-ns/op: the process's CPU time
// per row, which the other jobs of a shared machine disturb much less than
// wall time (they take the CPU away; they do not add to this process's CPU
// time).
func measure(b *testing.B, body func()) {
	b.ResetTimer()
	start := cpuTime()
	body()
	cpu := cpuTime() - start
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rows/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "cpu-ns/op")
}

func BenchmarkPut(b *testing.B) {
	data := rows(4096)
	b.Run("toonstore", func(b *testing.B) {
		db := openToonStore(b)
		measure(b, func() {
			for i := 0; i < b.N; i++ {
				if _, err := db.Put(data[i&4095]); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
	b.Run("bbolt", func(b *testing.B) {
		db := openBolt(b)
		measure(b, func() {
			for i := 0; i < b.N; i++ {
				if err := db.Update(func(tx *bolt.Tx) error {
					bk := tx.Bucket(bucket)
					id, _ := bk.NextSequence()
					return bk.Put(key(id), data[i&4095])
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkGet(b *testing.B) {
	n := preloadRows()
	data := rows(n)
	order := rand.New(rand.NewSource(1)).Perm(n)
	// Loaded once: the parent of sub-benchmarks runs once.
	tdb := openToonStore(b)
	ids := loadToonStore(b, tdb, data)
	bdb := openBolt(b)
	bids := loadBolt(b, bdb, data)
	// The random order, resolved to each store's ids and keys beforehand, so
	// the timed loops read them sequentially.
	tsOrder := make([]int64, n)
	boltOrder := make([][]byte, n)
	for i, k := range order {
		tsOrder[i] = ids[k]
		boltOrder[i] = key(bids[k])
	}
	b.Run("toonstore", func(b *testing.B) {
		db := tdb
		measure(b, func() {
			for i := 0; i < b.N; i++ {
				v, err := db.Get(tsOrder[i%n])
				if err != nil || len(v) != 100 {
					b.Fatalf("Get: %d bytes, %v", len(v), err)
				}
			}
		})
	})
	b.Run("bbolt", func(b *testing.B) {
		db := bdb
		measure(b, func() {
			for i := 0; i < b.N; i++ {
				k := boltOrder[i%n]
				var v []byte
				if err := db.View(func(tx *bolt.Tx) error {
					v = append([]byte(nil), tx.Bucket(bucket).Get(k)...)
					return nil
				}); err != nil || len(v) != 100 {
					b.Fatalf("Get: %d bytes, %v", len(v), err)
				}
			}
		})
	})
}

func BenchmarkScan(b *testing.B) {
	n := preloadRows()
	data := rows(n)
	tdb := openToonStore(b)
	loadToonStore(b, tdb, data)
	bdb := openBolt(b)
	loadBolt(b, bdb, data)
	b.Run("toonstore", func(b *testing.B) {
		db := tdb
		measure(b, func() {
			seen := 0
			for seen < b.N {
				it := db.Scan()
				for seen < b.N && it.Next() {
					var v []byte
					if scanCopy {
						_, v = it.Value()
					} else {
						_, v = it.ValueRef()
					}
					if len(v) != 100 {
						b.Fatal(len(v))
					}
					seen++
				}
				if err := it.Err(); err != nil {
					b.Fatal(err)
				}
				it.Close()
			}
		})
	})
	b.Run("bbolt", func(b *testing.B) {
		db := bdb
		measure(b, func() {
			seen := 0
			for seen < b.N {
				if err := db.View(func(tx *bolt.Tx) error {
					c := tx.Bucket(bucket).Cursor()
					for k, v := c.First(); k != nil && seen < b.N; k, v = c.Next() {
						if scanCopy {
							v = append([]byte(nil), v...)
						}
						if len(v) != 100 {
							b.Fatal(len(v))
						}
						seen++
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

func BenchmarkPutBatch(b *testing.B) {
	data := rows(batchRows)
	b.Run("toonstore", func(b *testing.B) {
		db := openToonStore(b)
		batch := toonstore.NewBatch()
		measure(b, func() {
			for i := 0; i < b.N; i++ {
				batch.Put(data[i%batchRows])
				if batch.Len() == batchRows || i == b.N-1 {
					if _, err := db.Commit(batch); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	})
	b.Run("bbolt", func(b *testing.B) {
		db := openBolt(b)
		measure(b, func() {
			for start := 0; start < b.N; start += batchRows {
				end := start + batchRows
				if end > b.N {
					end = b.N
				}
				if err := db.Update(func(tx *bolt.Tx) error {
					bk := tx.Bucket(bucket)
					for i := start; i < end; i++ {
						id, _ := bk.NextSequence()
						if err := bk.Put(key(id), data[i%batchRows]); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}
