package toonstore_test

// The Go runner of the shared conformance vectors (tests/conformance, format
// in tests/conformance/README.md): every case of every *.json file of
// $TOONSTORE_CONFORMANCE_DIR (default: the repository's tests/conformance)
// runs as a subtest of TestConformance on a fresh directory. With
// $TOONSTORE_CONFORMANCE_REPORT set, one line per case (PASS/FAIL/SKIP) is
// appended to that file for scripts/conformance.sh.

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	toonstore "github.com/toonstore/toonstore-go"
)

// How this runner maps the language-neutral outcomes to the Go binding, in
// one place (README "The language-neutral outcomes"):
//
//   - "absent" for get / snapshot_get: an error matching ErrNotFound;
//   - "invalid_id": the Go binding has signed ids and follows the C rule,
//     TOONSTORE_ERR_INVALID_ARG for every op;
//   - errors: the C name an *toonstore.Error carries (Error.Name);
//   - count: Stats().LiveRows.
const invalidIDError = "TOONSTORE_ERR_INVALID_ARG"

// Capabilities of the Go API (README "Requirements and skips"): a closed
// DB stays a value whose calls return ErrClosed, ids are int64, iterators
// and snapshots opened before Close keep working after it; the C options
// struct's version field is not part of the Go API. A capability missing
// here (unknown to this runner) skips its cases.
var conformanceCaps = map[string]bool{
	"use_after_close":       true,
	"negative_ids":          true,
	"readers_outlive_close": true,
	"options_version":       false,
}

// Ops the Go binding lacks: none.
var conformanceMissingOps = map[string]string{}

type confFile struct {
	Description string     `json:"description"`
	Cases       []confCase `json:"cases"`
}

type confCase struct {
	Name     string                       `json:"name"`
	Requires []string                     `json:"requires"`
	Steps    []map[string]json.RawMessage `json:"steps"`
}

func conformanceDir(t *testing.T) string {
	if d := os.Getenv("TOONSTORE_CONFORMANCE_DIR"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "tests", "conformance")
}

func TestConformance(t *testing.T) {
	dir := conformanceDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no conformance vectors (*.json) in %s", dir)
	}
	sort.Strings(files)
	report := newConfReport(t)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var vf confFile
		if err := json.Unmarshal(raw, &vf); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		stem := strings.TrimSuffix(filepath.Base(f), ".json")
		for _, c := range vf.Cases {
			c := c
			id := stem + "/" + c.Name
			t.Run(id, func(t *testing.T) {
				if reason := skipReason(c); reason != "" {
					report.line("SKIP " + id + ": " + reason)
					t.Skip(reason)
				}
				r := &confRun{t: t, dir: filepath.Join(t.TempDir(), "db"),
					iters: map[string]*toonstore.Iter{}, snaps: map[string]*toonstore.Snapshot{}}
				defer r.cleanup()
				for i, step := range c.Steps {
					op, want, got, err := r.step(step)
					if err != nil {
						report.line(fmt.Sprintf("FAIL %s: step %d (%s): %v", id, i, op, err))
						t.Fatalf("step %d (%s): %v", i, op, err)
					}
					if want != got {
						report.line(fmt.Sprintf("FAIL %s: step %d (%s): expected %s, got %s", id, i, op, want, got))
						t.Fatalf("step %d (%s): expected %s, got %s", i, op, want, got)
					}
				}
				report.line("PASS " + id)
			})
		}
	}
}

func skipReason(c confCase) string {
	for _, req := range c.Requires {
		if !conformanceCaps[req] {
			if _, known := conformanceCaps[req]; !known {
				return "requires " + req + ", a capability this runner does not know"
			}
			return "requires " + req + ", which the Go API cannot express"
		}
	}
	for _, s := range c.Steps {
		var op string
		_ = json.Unmarshal(s["op"], &op)
		if why, missing := conformanceMissingOps[op]; missing {
			return "op " + op + ": " + why
		}
		// Go's Options treat a zero MaxValueSize as "the default" (the
		// usual Go zero-value convention, documented): a limit of 0 cannot
		// be asked for.
		if op == "open" {
			var o map[string]json.RawMessage
			_ = json.Unmarshal(s["options"], &o)
			if v, ok := o["max_value_size"]; ok && string(v) == "0" {
				return "open with max_value_size 0: Options.MaxValueSize 0 means the default in the Go API"
			}
		}
	}
	return ""
}

// confReport appends lines to $TOONSTORE_CONFORMANCE_REPORT.
type confReport struct {
	mu sync.Mutex
	f  *os.File
}

func newConfReport(t *testing.T) *confReport {
	p := os.Getenv("TOONSTORE_CONFORMANCE_REPORT")
	if p == "" {
		return &confReport{}
	}
	f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &confReport{f: f}
}

func (r *confReport) line(s string) {
	if r.f == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintln(r.f, s)
}

// confRun is the state of one case.
type confRun struct {
	t     *testing.T
	dir   string
	db    *toonstore.DB // the last handle opened (kept after close)
	iters map[string]*toonstore.Iter
	snaps map[string]*toonstore.Snapshot
	child *exec.Cmd
	stdin interface{ Close() error }
}

func (r *confRun) cleanup() {
	for _, it := range r.iters {
		it.Close()
	}
	for _, s := range r.snaps {
		s.Close()
	}
	if r.db != nil {
		r.db.Close()
	}
	r.releaseLock()
}

// step runs one step and returns its op, the expected and the actual
// outcome in one canonical text form, or an error for a malformed step.
func (r *confRun) step(s map[string]json.RawMessage) (op, want, got string, err error) {
	if err := json.Unmarshal(s["op"], &op); err != nil {
		return "", "", "", fmt.Errorf("no op: %v", err)
	}
	raw, ok := s["expect"]
	if !ok {
		return op, "", "", errors.New("no expect")
	}
	if want, err = canonExpect(raw); err != nil {
		return op, "", "", err
	}
	got, err = r.run(op, s)
	return op, want, got, err
}

// Canonical outcomes: ok, absent, end, id:N, value:HEX, bool:B, count:N,
// rows:[N:HEX ...], row:N:HEX, ids:[N ...], error:NAME.
func canonExpect(raw json.RawMessage) (string, error) {
	var word string
	if json.Unmarshal(raw, &word) == nil {
		switch word {
		case "ok", "absent", "end":
			return word, nil
		case "invalid_id":
			return "error:" + invalidIDError, nil
		}
		return "", fmt.Errorf("unknown expect %q", word)
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) != 1 {
		return "", fmt.Errorf("bad expect %s", raw)
	}
	for k, v := range obj {
		switch k {
		case "id", "count":
			var n int64
			if err := json.Unmarshal(v, &n); err != nil {
				return "", err
			}
			return fmt.Sprintf("%s:%d", k, n), nil
		case "bool":
			var b bool
			if err := json.Unmarshal(v, &b); err != nil {
				return "", err
			}
			return fmt.Sprintf("bool:%v", b), nil
		case "error":
			var name string
			if err := json.Unmarshal(v, &name); err != nil {
				return "", err
			}
			return "error:" + name, nil
		case "value":
			b, err := confBytes(v)
			if err != nil {
				return "", err
			}
			return "value:" + hex.EncodeToString(b), nil
		case "row":
			var pair []json.RawMessage
			if err := json.Unmarshal(v, &pair); err != nil || len(pair) != 2 {
				return "", fmt.Errorf("bad row %s", v)
			}
			return canonRowJSON("row:", pair)
		case "rows":
			var rows [][]json.RawMessage
			if err := json.Unmarshal(v, &rows); err != nil {
				return "", err
			}
			parts := make([]string, 0, len(rows))
			for _, pair := range rows {
				if len(pair) != 2 {
					return "", fmt.Errorf("bad row in %s", v)
				}
				p, err := canonRowJSON("", pair)
				if err != nil {
					return "", err
				}
				parts = append(parts, p)
			}
			return "rows:[" + strings.Join(parts, " ") + "]", nil
		case "ids":
			var ids []int64
			if err := json.Unmarshal(v, &ids); err != nil {
				return "", err
			}
			return canonIDs(ids), nil
		}
		return "", fmt.Errorf("unknown expect key %q", k)
	}
	return "", nil
}

func canonRowJSON(prefix string, pair []json.RawMessage) (string, error) {
	var id int64
	if err := json.Unmarshal(pair[0], &id); err != nil {
		return "", err
	}
	b, err := confBytes(pair[1])
	if err != nil {
		return "", err
	}
	return canonRow(prefix, id, b), nil
}

func canonRow(prefix string, id int64, b []byte) string {
	return fmt.Sprintf("%s%d:%s", prefix, id, hex.EncodeToString(b))
}

func canonIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return "ids:[" + strings.Join(parts, " ") + "]"
}

// confBytes decodes {"hex": "..."} or {"utf8": "..."}.
func confBytes(raw json.RawMessage) ([]byte, error) {
	var obj map[string]string
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) != 1 {
		return nil, fmt.Errorf("bad bytes %s", raw)
	}
	if h, ok := obj["hex"]; ok {
		return hex.DecodeString(h)
	}
	if s, ok := obj["utf8"]; ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("bad bytes %s", raw)
}

// outcome of an error: the C name it carries.
func canonErr(err error) string {
	var te *toonstore.Error
	if errors.As(err, &te) {
		return "error:" + te.Name
	}
	return "error:not a *toonstore.Error: " + err.Error()
}

func okOr(err error) string {
	if err != nil {
		return canonErr(err)
	}
	return "ok"
}

func arg[T any](s map[string]json.RawMessage, key string, optional bool, def T) (T, error) {
	raw, ok := s[key]
	if !ok {
		if optional {
			return def, nil
		}
		return def, fmt.Errorf("missing argument %q", key)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return def, fmt.Errorf("argument %q: %v", key, err)
	}
	return v, nil
}

func (r *confRun) run(op string, s map[string]json.RawMessage) (string, error) {
	db := r.db
	needDB := func() error {
		if db == nil {
			return fmt.Errorf("%s before any open", op)
		}
		return nil
	}
	switch op {
	case "open":
		opts, err := confOptions(s)
		if err != nil {
			return "", err
		}
		d, err := toonstore.OpenWith(r.dir, opts)
		if err != nil {
			return canonErr(err), nil
		}
		r.db = d
		return "ok", nil
	case "close":
		if err := needDB(); err != nil {
			return "", err
		}
		return okOr(db.Close()), nil
	case "put":
		v, err := arg[json.RawMessage](s, "value", false, nil)
		if err != nil {
			return "", err
		}
		b, err := confBytes(v)
		if err != nil {
			return "", err
		}
		if err := needDB(); err != nil {
			return "", err
		}
		id, err := db.Put(b)
		if err != nil {
			return canonErr(err), nil
		}
		return fmt.Sprintf("id:%d", id), nil
	case "get", "snapshot_get":
		id, err := arg[int64](s, "id", false, 0)
		if err != nil {
			return "", err
		}
		var v []byte
		if op == "get" {
			if err := needDB(); err != nil {
				return "", err
			}
			v, err = db.Get(id)
		} else {
			snap, e := r.snapshot(s)
			if e != nil {
				return "", e
			}
			v, err = snap.Get(id)
		}
		if errors.Is(err, toonstore.ErrNotFound) {
			return "absent", nil
		}
		if err != nil {
			return canonErr(err), nil
		}
		return "value:" + hex.EncodeToString(v), nil
	case "contains":
		id, err := arg[int64](s, "id", false, 0)
		if err != nil {
			return "", err
		}
		if err := needDB(); err != nil {
			return "", err
		}
		ok, err := db.Contains(id)
		if err != nil {
			return canonErr(err), nil
		}
		return fmt.Sprintf("bool:%v", ok), nil
	case "delete":
		id, err := arg[int64](s, "id", false, 0)
		if err != nil {
			return "", err
		}
		if err := needDB(); err != nil {
			return "", err
		}
		return okOr(db.Delete(id)), nil
	case "count":
		if err := needDB(); err != nil {
			return "", err
		}
		st, err := db.Stats()
		if err != nil {
			return canonErr(err), nil
		}
		return fmt.Sprintf("count:%d", st.LiveRows), nil
	case "scan", "snapshot_scan":
		start, err := arg[int64](s, "start", true, 0)
		if err != nil {
			return "", err
		}
		var it *toonstore.Iter
		if op == "scan" {
			if err := needDB(); err != nil {
				return "", err
			}
			it = db.ScanFrom(start)
		} else {
			snap, e := r.snapshot(s)
			if e != nil {
				return "", e
			}
			it = snap.ScanFrom(start)
		}
		defer it.Close()
		var parts []string
		for it.Next() {
			id, v := it.Value()
			parts = append(parts, canonRow("", id, v))
		}
		if err := it.Err(); err != nil {
			return canonErr(err), nil
		}
		return "rows:[" + strings.Join(parts, " ") + "]", nil
	case "scan_range", "snapshot_scan_range":
		start, err := arg[int64](s, "start", true, 0)
		if err != nil {
			return "", err
		}
		stop, err := arg[int64](s, "stop", true, toonstore.ScanEnd)
		if err != nil {
			return "", err
		}
		reverse, err := arg[bool](s, "reverse", true, false)
		if err != nil {
			return "", err
		}
		limit, err := arg[int64](s, "limit", true, -1)
		if err != nil {
			return "", err
		}
		var it *toonstore.Iter
		if op == "scan_range" {
			if err := needDB(); err != nil {
				return "", err
			}
			it = db.ScanRange(start, stop, reverse)
		} else {
			snap, e := r.snapshot(s)
			if e != nil {
				return "", e
			}
			it = snap.ScanRange(start, stop, reverse)
		}
		defer it.Close()
		var parts []string
		for (limit < 0 || int64(len(parts)) < limit) && it.Next() {
			id, v := it.Value()
			parts = append(parts, canonRow("", id, v))
		}
		if err := it.Err(); err != nil {
			return canonErr(err), nil
		}
		return "rows:[" + strings.Join(parts, " ") + "]", nil
	case "iter_open":
		name, err := arg[string](s, "iter", false, "")
		if err != nil {
			return "", err
		}
		start, err := arg[int64](s, "start", true, 0)
		if err != nil {
			return "", err
		}
		if err := needDB(); err != nil {
			return "", err
		}
		it := db.ScanFrom(start)
		// A scan that could not start reports its error at once (Go's Scan
		// returns the iterator and the error through Err).
		if it.Err() != nil {
			return canonErr(it.Err()), nil
		}
		if old := r.iters[name]; old != nil {
			old.Close()
		}
		r.iters[name] = it
		return "ok", nil
	case "iter_next":
		name, err := arg[string](s, "iter", false, "")
		if err != nil {
			return "", err
		}
		it := r.iters[name]
		if it == nil {
			return "", fmt.Errorf("no iterator %q", name)
		}
		if it.Next() {
			id, v := it.Value()
			return canonRow("row:", id, v), nil
		}
		if err := it.Err(); err != nil {
			return canonErr(err), nil
		}
		return "end", nil
	case "iter_close":
		name, err := arg[string](s, "iter", false, "")
		if err != nil {
			return "", err
		}
		it := r.iters[name]
		if it == nil {
			return "", fmt.Errorf("no iterator %q", name)
		}
		delete(r.iters, name)
		return okOr(it.Close()), nil
	case "batch":
		ops, err := arg[[]map[string]json.RawMessage](s, "ops", false, nil)
		if err != nil {
			return "", err
		}
		b := toonstore.NewBatch()
		puts := 0
		for _, o := range ops {
			if v, ok := o["put"]; ok {
				bs, err := confBytes(v)
				if err != nil {
					return "", err
				}
				b.Put(bs)
				puts++
			} else if v, ok := o["delete"]; ok {
				var id int64
				if err := json.Unmarshal(v, &id); err != nil {
					return "", err
				}
				b.Delete(id)
			} else {
				return "", fmt.Errorf("bad batch op %v", o)
			}
		}
		if err := needDB(); err != nil {
			return "", err
		}
		first, err := db.Commit(b)
		if err != nil {
			return canonErr(err), nil
		}
		ids := make([]int64, puts)
		for i := range ids {
			ids[i] = first + int64(i)
		}
		return canonIDs(ids), nil
	case "snapshot_open":
		name, err := arg[string](s, "snapshot", false, "")
		if err != nil {
			return "", err
		}
		if err := needDB(); err != nil {
			return "", err
		}
		snap, err := db.Snapshot()
		if err != nil {
			return canonErr(err), nil
		}
		r.snaps[name] = snap
		return "ok", nil
	case "snapshot_close":
		snap, err := r.snapshot(s)
		if err != nil {
			return "", err
		}
		name, _ := arg[string](s, "snapshot", false, "")
		delete(r.snaps, name)
		return okOr(snap.Close()), nil
	case "compact":
		if err := needDB(); err != nil {
			return "", err
		}
		return okOr(db.Compact()), nil
	case "sync":
		if err := needDB(); err != nil {
			return "", err
		}
		return okOr(db.Sync()), nil
	case "hold_lock":
		return r.holdLock()
	case "release_lock":
		r.releaseLock()
		return "ok", nil
	}
	return "", fmt.Errorf("unknown op %q", op)
}

func (r *confRun) snapshot(s map[string]json.RawMessage) (*toonstore.Snapshot, error) {
	name, err := arg[string](s, "snapshot", false, "")
	if err != nil {
		return nil, err
	}
	snap := r.snaps[name]
	if snap == nil {
		return nil, fmt.Errorf("no snapshot %q", name)
	}
	return snap, nil
}

func confOptions(s map[string]json.RawMessage) (*toonstore.Options, error) {
	raw, ok := s["options"]
	if !ok {
		return nil, nil
	}
	var o map[string]json.RawMessage
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, err
	}
	opts := &toonstore.Options{}
	for k, v := range o {
		switch k {
		case "read_only":
			if err := json.Unmarshal(v, &opts.ReadOnly); err != nil {
				return nil, err
			}
		case "create_if_missing":
			var create bool
			if err := json.Unmarshal(v, &create); err != nil {
				return nil, err
			}
			opts.MustExist = !create
		case "max_value_size":
			if err := json.Unmarshal(v, &opts.MaxValueSize); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("unknown open option %q", k)
		}
	}
	return opts, nil
}

// holdLock starts another process that opens the database for writing and
// keeps it open: the helper scripts/conformance.sh exports, or this test
// binary re-executed in the "hold" role (main_test.go).
func (r *confRun) holdLock() (string, error) {
	if r.child != nil {
		return "", errors.New("hold_lock while a child holds the lock")
	}
	var cmd *exec.Cmd
	if helper := os.Getenv("TOONSTORE_CONFORMANCE_HOLD_LOCK"); helper != "" {
		cmd = exec.Command(helper, r.dir)
	} else {
		cmd = exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"=hold", "TOONSTORE_GO_TEST_DIR="+r.dir)
	}
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", err
	}
	r.child, r.stdin = cmd, stdin
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "ready\n" {
		return "", fmt.Errorf("lock-holding child said %q (%v)", line, err)
	}
	return "ok", nil
}

func (r *confRun) releaseLock() {
	if r.child == nil {
		return
	}
	_ = r.stdin.Close()
	_ = r.child.Wait()
	r.child, r.stdin = nil, nil
}
