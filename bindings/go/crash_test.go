package toonstore_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// kill -9 of a writing process loses nothing it acknowledged: a child (this
// test binary re-executed) puts rows and reports each acknowledged put on
// stdout; the test kills it with SIGKILL in the middle, reopens, and finds
// every acknowledged row, intact, under its id. Three rounds on the same
// database, each starting where the last one stopped.
func TestKill9LosesNothingAcknowledged(t *testing.T) {
	dir := t.TempDir() + "/db"
	acked := map[int64]int{} // id -> index of the row the child wrote there
	for round := 0; round < 3; round++ {
		cmd, out, _ := startChild(t, "writer", dir)
		target := 2000 * (round + 1)
		for len(acked) < target {
			line, err := out.ReadString('\n')
			if err != nil {
				t.Fatalf("round %d: child ended early: %q %v", round, line, err)
			}
			var i int
			var id int64
			if _, err := fmt.Sscanf(line, "%d %d", &i, &id); err != nil {
				t.Fatalf("round %d: child said %q", round, strings.TrimSpace(line))
			}
			acked[id] = i
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		// Acknowledgements already in the pipe count too.
		for {
			line, err := out.ReadString('\n')
			if err != nil {
				break
			}
			var i int
			var id int64
			if _, err := fmt.Sscanf(line, "%d %d", &i, &id); err == nil {
				acked[id] = i
			}
		}
		_ = cmd.Wait()

		db, err := toonstore.Open(dir)
		if err != nil {
			t.Fatalf("round %d: reopen after kill -9: %v", round, err)
		}
		for id, i := range acked {
			v, err := db.Get(id)
			if err != nil || !bytes.Equal(v, rowBytes(i)) {
				t.Fatalf("round %d: acknowledged row %d (index %d) lost: %q %v", round, id, i, v, err)
			}
		}
		// Rows written but not yet acknowledged may be there; whatever is
		// there is intact and in order.
		ids, vals := scanAll(t, db.Scan())
		for k := range ids {
			if k > 0 && ids[k] <= ids[k-1] {
				t.Fatalf("round %d: scan out of order", round)
			}
			if len(vals[k]) != 100 {
				t.Fatalf("round %d: row %d has %d bytes", round, ids[k], len(vals[k]))
			}
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := toonstore.Check(dir); err != nil {
			t.Fatalf("round %d: Check after kill -9: %v", round, err)
		}
	}
}
