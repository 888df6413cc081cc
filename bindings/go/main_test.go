package toonstore_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// childEnv names the role of a child process started by a test (the test
// binary re-executed, see startChild); TestMain runs the role instead of
// the tests.
const childEnv = "TOONSTORE_GO_TEST_CHILD"

func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role, os.Getenv("TOONSTORE_GO_TEST_DIR")))
	}
	os.Exit(m.Run())
}

// runChild is the body of a child process:
//
//	hold:   opens dir, prints "ready", waits until its stdin closes, closes;
//	writer: opens dir and puts rowBytes(n, i) for i = 0, 1, ... forever,
//	        printing "<i> <id>" after each put returned (acknowledged);
//	putter: see runPutter (backup_test.go).
func runChild(role, dir string) int {
	if role == "putter" {
		return runPutter(dir) // backup_test.go
	}
	db, err := toonstore.Open(dir)
	if err != nil {
		fmt.Println("open:", err)
		return 2
	}
	switch role {
	case "hold":
		fmt.Println("ready")
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		if err := db.Close(); err != nil {
			fmt.Println("close:", err)
			return 2
		}
		return 0
	case "writer":
		for i := 0; ; i++ {
			id, err := db.Put(rowBytes(i))
			if err != nil {
				fmt.Println("put:", err)
				return 2
			}
			// One write per acknowledgement: it reaches the pipe at once.
			fmt.Fprintf(os.Stdout, "%d %d\n", i, id)
		}
	}
	fmt.Println("unknown role", role)
	return 2
}

// rowBytes is the deterministic content of the i-th row a test writes:
// about 100 bytes, different for every i.
func rowBytes(i int) []byte {
	s := fmt.Sprintf("users[%d]{id,name,email}: %d,User %d,user%d@example.com|", i, i, i, i)
	for len(s) < 100 {
		s += "."
	}
	return []byte(s)
}

// startChild starts the test binary again as a child with the given role on
// dir; stdout is a pipe the caller reads.
func startChild(t *testing.T, role, dir string) (*exec.Cmd, *bufio.Reader, func()) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+role, "TOONSTORE_GO_TEST_DIR="+dir)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	closeStdin := func() { _ = stdin.Close() }
	t.Cleanup(func() {
		closeStdin()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewReader(out), closeStdin
}

// openTemp opens a fresh database in a temporary directory, closed at the
// end of the test unless the test closed it.
func openTemp(t *testing.T) (*toonstore.DB, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "db")
	db, err := toonstore.Open(dir)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, dir
}

// wantErr fails unless err matches sentinel with errors.Is, carries the C
// name of the sentinel and a message, and reads as
// "toonstore: <message> (<NAME>)".
func wantErr(t *testing.T, err error, sentinel *toonstore.Error) *toonstore.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", sentinel.Name)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("got %v, want errors.Is(err, %s)", err, sentinel.Name)
	}
	var te *toonstore.Error
	if !errors.As(err, &te) {
		t.Fatalf("%v is not a *toonstore.Error", err)
	}
	if te.Name != sentinel.Name || te.Code != sentinel.Code {
		t.Fatalf("got name %s code %d, want %s %d", te.Name, te.Code, sentinel.Name, sentinel.Code)
	}
	if te.Message == "" {
		t.Fatalf("%s has no message", te.Name)
	}
	if s := err.Error(); !strings.HasPrefix(s, "toonstore: ") || !strings.HasSuffix(s, "("+sentinel.Name+")") {
		t.Fatalf("Error() = %q", s)
	}
	return te
}

func mustPut(t *testing.T, db *toonstore.DB, data []byte) int64 {
	t.Helper()
	id, err := db.Put(data)
	if err != nil {
		t.Fatalf("Put: %v", err)
	}
	return id
}

func mustGet(t *testing.T, db *toonstore.DB, id int64) []byte {
	t.Helper()
	v, err := db.Get(id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return v
}

// scanAll collects what an iterator yields and fails on its error.
func scanAll(t *testing.T, it *toonstore.Iter) ([]int64, [][]byte) {
	t.Helper()
	defer it.Close()
	var ids []int64
	var vals [][]byte
	for it.Next() {
		id, v := it.Value()
		ids = append(ids, id)
		vals = append(vals, v)
	}
	if err := it.Err(); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return ids, vals
}
