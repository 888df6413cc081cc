//go:build go1.23

package toonstore

import "iter"

// All returns the live rows in ascending row id order as an iter.Seq2, for
// use with range:
//
//	for id, data := range db.All() { ... }
//
// Each value is a copy owned by the caller. The sequence cannot report an
// error: one (also a closed DB) ends it early. When errors matter, range
// over an iterator and check it afterwards:
//
//	it := db.Scan()
//	for id, data := range it.All() { ... }
//	if err := it.Err(); err != nil { ... }
func (db *DB) All() iter.Seq2[int64, []byte] {
	return func(yield func(int64, []byte) bool) {
		it := db.Scan()
		defer it.Close()
		for id, v := range it.All() {
			if !yield(id, v) {
				return
			}
		}
	}
}

// All returns the snapshot's live rows as an iter.Seq2; see DB.All.
func (s *Snapshot) All() iter.Seq2[int64, []byte] {
	return func(yield func(int64, []byte) bool) {
		it := s.Scan()
		defer it.Close()
		for id, v := range it.All() {
			if !yield(id, v) {
				return
			}
		}
	}
}

// All returns the rows the iterator has left as an iter.Seq2; the iterator
// is closed when the loop ends (also by break). Check Err afterwards.
func (it *Iter) All() iter.Seq2[int64, []byte] {
	return func(yield func(int64, []byte) bool) {
		defer it.Close()
		for it.Next() {
			if !yield(it.Value()) {
				return
			}
		}
	}
}
