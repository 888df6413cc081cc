// Command consumer is a separate module that uses the Go binding the way an
// application would: it requires github.com/toonstore/toonstore-go (here
// replaced by the repository's bindings/go) and runs the owner's example
// from FFI_ROADMAP.md section 4. Changes to the example, both required by
// Go: the path comes from the command line instead of "/path/to/db", and
// `_ = data` keeps the compiler from rejecting the unused variable.
//
//	go run . /tmp/somewhere/db
package main

import (
	"fmt"
	"os"

	"github.com/toonstore/toonstore-go"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: consumer DB_DIRECTORY")
		os.Exit(2)
	}

	// Open database
	db, err := toonstore.Open(os.Args[1])
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

	// Not in the roadmap: say what ran, for the test script.
	fmt.Printf("roadmap example ran against libtoonstore %s: put row %d, read %q, deleted it\n",
		toonstore.Version(), rowID, data)
}
