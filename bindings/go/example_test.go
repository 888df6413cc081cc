package toonstore_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/toonstore/toonstore-go"
)

// The owner's example (FFI_ROADMAP.md, section 4), run by `go test`. Its
// body is the roadmap's main() with two changes Go requires: the path is a
// temporary directory instead of "/path/to/db", and `_ = data` keeps the
// compiler from rejecting the unused variable. The row it puts is deleted
// before the scan, so it prints nothing (checked by the empty Output).
func Example() {
	tmp, err := os.MkdirTemp("", "toonstore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)
	path := filepath.Join(tmp, "db")

	// Open database
	db, err := toonstore.Open(path)
	if err != nil {
		panic(err)
	}
	defer db.Close()

	// Basic operations
	rowID, _ := db.Put([]byte("users[1]{id,name}: 1,Alice"))
	data, _ := db.Get(rowID)
	db.Delete(rowID)
	_ = data

	// Iteration
	iter := db.Scan()
	for iter.Next() {
		rowID, data := iter.Value()
		fmt.Printf("%d: %s\n", rowID, data)
	}
	// Output:
}

// Errors match their sentinel with errors.Is and carry the C error name
// and the engine's message.
func ExampleDB_Get_notFound() {
	tmp, _ := os.MkdirTemp("", "toonstore-example")
	defer os.RemoveAll(tmp)
	db, err := toonstore.Open(filepath.Join(tmp, "db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	_, err = db.Get(42)
	fmt.Println(errors.Is(err, toonstore.ErrNotFound))
	fmt.Println(err)
	// Output:
	// true
	// toonstore: row not found: row 42 not found (TOONSTORE_ERR_NOT_FOUND)
}

// A batch is written atomically; its puts get consecutive ids.
func ExampleDB_Commit() {
	tmp, _ := os.MkdirTemp("", "toonstore-example")
	defer os.RemoveAll(tmp)
	db, err := toonstore.Open(filepath.Join(tmp, "db"))
	if err != nil {
		panic(err)
	}
	defer db.Close()

	b := toonstore.NewBatch()
	b.Put([]byte("users[1]{id,name}: 1,Alice"))
	b.Put([]byte("users[1]{id,name}: 2,Bob"))
	first, err := db.Commit(b)
	if err != nil {
		panic(err)
	}
	it := db.ScanFrom(first)
	defer it.Close()
	for it.Next() {
		id, data := it.Value()
		fmt.Printf("%d: %s\n", id, data)
	}
	if err := it.Err(); err != nil {
		panic(err)
	}
	// Output:
	// 0: users[1]{id,name}: 1,Alice
	// 1: users[1]{id,name}: 2,Bob
}
