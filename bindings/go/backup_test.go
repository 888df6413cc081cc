package toonstore_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// runPutter is the "putter" child (see runChild): opens dir for writing
// with the durability named by TOONSTORE_GO_TEST_DURABILITY, prints
// "ready", then puts each line of stdin and prints its id once the put
// returned (acknowledged); closes at the end of stdin.
func runPutter(dir string) int {
	durability := map[string]toonstore.Durability{
		"normal": toonstore.DurabilityNormal,
		"off":    toonstore.DurabilityOff,
		"full":   toonstore.DurabilityFull,
	}[os.Getenv("TOONSTORE_GO_TEST_DURABILITY")]
	db, err := toonstore.OpenWith(dir, &toonstore.Options{Durability: durability})
	if err != nil {
		fmt.Println("open:", err)
		return 2
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		id, err := db.Put(in.Bytes())
		if err != nil {
			fmt.Println("put:", err)
			return 2
		}
		fmt.Println(id)
	}
	if err := db.Close(); err != nil {
		fmt.Println("close:", err)
		return 2
	}
	return 0
}

// startPutter starts the "putter" child on dir: its stdin and stdout.
func startPutter(t *testing.T, dir string) (*exec.Cmd, io.WriteCloser, *bufio.Reader) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=putter", "TOONSTORE_GO_TEST_DIR="+dir)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
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
	t.Cleanup(func() {
		_ = in.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, in, bufio.NewReader(out)
}

// rowsOf reads every live row of db in order.
func rowsOf(t *testing.T, db *toonstore.DB) map[int64]string {
	t.Helper()
	got := map[int64]string{}
	it := db.Scan()
	defer it.Close()
	for it.Next() {
		id, v := it.Value()
		got[id] = string(v)
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestBackupCopyOpensWithEveryRow(t *testing.T) {
	db, _ := openTemp(t)
	want := map[int64]string{}
	for i := 0; i < 300; i++ {
		want[mustPut(t, db, rowBytes(i))] = string(rowBytes(i))
	}
	if err := db.Delete(7); err != nil {
		t.Fatal(err)
	}
	delete(want, 7)
	dest := filepath.Join(t.TempDir(), "backup")
	if err := db.Backup(dest); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	mustPut(t, db, []byte("after the backup"))

	copyDB, err := toonstore.Open(dest)
	if err != nil {
		t.Fatalf("open the backup: %v", err)
	}
	defer copyDB.Close()
	got := rowsOf(t, copyDB)
	if len(got) != len(want) {
		t.Fatalf("backup has %d rows, want %d", len(got), len(want))
	}
	for id, v := range want {
		if got[id] != v {
			t.Fatalf("row %d of the backup = %q, want %q", id, got[id], v)
		}
	}
	if id := mustPut(t, copyDB, []byte("next")); id != 300 {
		t.Fatalf("first put into the backup got id %d, want 300", id)
	}
}

func TestBackupIntoEmptyDirectory(t *testing.T) {
	db, _ := openTemp(t)
	mustPut(t, db, []byte("x"))
	dest := t.TempDir() // exists, empty
	if err := db.Backup(dest); err != nil {
		t.Fatalf("Backup into an empty directory: %v", err)
	}
	copyDB, err := toonstore.Open(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if v, err := copyDB.Get(0); err != nil || string(v) != "x" {
		t.Fatalf("Get(0) = %q, %v", v, err)
	}
}

func TestBackupRefusesAnExistingDestination(t *testing.T) {
	db, dir := openTemp(t)
	mustPut(t, db, []byte("x"))
	full := t.TempDir()
	keep := filepath.Join(full, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dest := range []string{full, file, dir} {
		wantErr(t, db.Backup(dest), toonstore.ErrInvalidArg)
	}
	wantErr(t, db.Backup(""), toonstore.ErrInvalidArg)
	wantErr(t, db.Backup("bad\x00path"), toonstore.ErrInvalidArg)
	if b, _ := os.ReadFile(keep); string(b) != "mine" {
		t.Fatalf("the existing directory was changed: %q", b)
	}
	if b, _ := os.ReadFile(file); string(b) != "a file" {
		t.Fatalf("the existing file was changed: %q", b)
	}
}

func TestBackupToAnUnwritablePlaceFailsWithIO(t *testing.T) {
	db, _ := openTemp(t)
	mustPut(t, db, []byte("x"))
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	wantErr(t, db.Backup(filepath.Join(file, "backup")), toonstore.ErrIO)
	missing := filepath.Join(t.TempDir(), "gone", "backup")
	wantErr(t, db.Backup(missing), toonstore.ErrIO)
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("something was left at %s: %v", missing, err)
	}
	mustPut(t, db, []byte("still writable"))
}

func TestBackupAndRefreshOnAClosedDB(t *testing.T) {
	db, _ := openTemp(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, db.Backup(filepath.Join(t.TempDir(), "b")), toonstore.ErrClosed)
	wantErr(t, db.Refresh(), toonstore.ErrClosed)
}

func TestRefreshOnAWritableDBDoesNothing(t *testing.T) {
	db, dir := openTemp(t)
	ro, err := toonstore.OpenWith(dir, &toonstore.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	mustPut(t, db, []byte("a"))
	if n := len(rowsOf(t, ro)); n != 1 {
		t.Fatalf("a read-only DB sharing the writable one in this process sees %d rows, want 1 at once", n)
	}
	if err := db.Refresh(); err != nil {
		t.Fatalf("Refresh on a writable DB: %v", err)
	}
	if err := ro.Refresh(); err != nil {
		t.Fatalf("Refresh on a read-only DB sharing a writable one: %v", err)
	}
	mustPut(t, db, []byte("b"))
	for _, h := range []*toonstore.DB{db, ro} {
		if got := rowsOf(t, h); len(got) != 2 || got[0] != "a" || got[1] != "b" {
			t.Fatalf("rows after Refresh = %v", got)
		}
	}
}

// TestReaderBesideAWriterProcess: a read-only DB opened while another
// process holds the database for writing sees every row acknowledged before
// its open, newer ones only after Refresh, and backs up its own state.
func TestReaderBesideAWriterProcess(t *testing.T) {
	for _, durability := range []string{"off", "normal", "full"} {
		t.Run(durability, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "db")
			t.Setenv("TOONSTORE_GO_TEST_DURABILITY", durability)
			cmd, in, out := startPutter(t, dir)
			line := func() string {
				t.Helper()
				s, err := out.ReadString('\n')
				if err != nil {
					t.Fatalf("the writer process: %q, %v", s, err)
				}
				return strings.TrimSpace(s)
			}
			if s := line(); s != "ready" {
				t.Fatalf("writer: %s", s)
			}
			put := func(v string) int64 {
				t.Helper()
				if _, err := fmt.Fprintln(in, v); err != nil {
					t.Fatal(err)
				}
				id, err := strconv.ParseInt(line(), 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				return id
			}
			want := map[int64]string{}
			for i := 0; i < 20; i++ {
				v := fmt.Sprintf("before %d", i)
				want[put(v)] = v
			}
			_, err := toonstore.Open(dir)
			wantErr(t, err, toonstore.ErrLocked)

			reader, err := toonstore.OpenWith(dir, &toonstore.Options{ReadOnly: true})
			if err != nil {
				t.Fatalf("read-only open beside a writer: %v", err)
			}
			defer reader.Close()
			if got := rowsOf(t, reader); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("reader sees %v, want %v", got, want)
			}
			later := put("later")
			_, err = reader.Get(later)
			wantErr(t, err, toonstore.ErrNotFound) // a fixed state until Refresh
			snap, err := reader.Snapshot()
			if err != nil {
				t.Fatal(err)
			}
			defer snap.Close()
			if err := reader.Refresh(); err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if v, err := reader.Get(later); err != nil || string(v) != "later" {
				t.Fatalf("after Refresh Get(%d) = %q, %v", later, v, err)
			}
			_, err = snap.Get(later)
			wantErr(t, err, toonstore.ErrNotFound) // a snapshot keeps its state

			dest := filepath.Join(t.TempDir(), "backup")
			if err := reader.Backup(dest); err != nil {
				t.Fatalf("Backup from the reader: %v", err)
			}
			put("after the backup")
			copyDB, err := toonstore.OpenWith(dest, &toonstore.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer copyDB.Close()
			want[later] = "later"
			if got := rowsOf(t, copyDB); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("backup holds %v, want %v", got, want)
			}
			_ = in.Close()
			if err := cmd.Wait(); err != nil {
				t.Fatalf("writer process: %v", err)
			}
		})
	}
}
