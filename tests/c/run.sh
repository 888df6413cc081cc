#!/usr/bin/env bash
# Builds the C test suite of libtoonstore with plain gcc and runs it three
# ways: plain, with -fsanitize=address,undefined, and under valgrind memcheck.
# Prints each run's result and, last, `N passed, M failed` over all runs
# (a run that crashes or reports a sanitizer/valgrind error counts as failed).
#
#   tests/c/run.sh                     # against target/release (cargo builds it first)
#   tests/c/run.sh --no-build          # ... without running cargo
#   tests/c/run.sh --prefix /usr/local # against an installed prefix (include/, lib/)
#   tests/c/run.sh --modes plain,asan  # a subset of plain,asan,valgrind
#   tests/c/run.sh -- SUBSTRING...     # only the tests whose names contain SUBSTRING
#
# Environment: CC (default gcc), CARGO_TARGET_DIR, TOONSTORE_TEST_KEEP=1 keeps
# the work directory.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
prefix=""
build=1
modes="plain,asan,valgrind"
filters=()
while [ $# -gt 0 ]; do
    case "$1" in
        --prefix) prefix="$(cd "$2" && pwd)"; shift 2 ;;
        --no-build) build=0; shift ;;
        --modes) modes="$2"; shift 2 ;;
        --) shift; filters=("$@"); break ;;
        -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done

CC="${CC:-gcc}"
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-c-suite.XXXXXX")"
cleanup() {
    if [ -n "${TOONSTORE_TEST_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the library under test -------------------------------------------------
if [ -n "$prefix" ]; then
    incdir="$prefix/include"
    libdir="$prefix/lib"
    [ -d "$libdir" ] || libdir="$prefix/lib64"
    if [ ! -e "$libdir/libtoonstore.so.1" ]; then
        echo "run.sh: $libdir/libtoonstore.so.1 not found (is $prefix an install prefix?)" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
else
    target="${CARGO_TARGET_DIR:-$root/target}"
    case "$target" in /*) ;; *) target="$root/$target" ;; esac
    if [ "$build" = 1 ]; then
        (cd "$root" && nice cargo build --release --lib --quiet)
    fi
    if [ ! -f "$target/release/libtoonstore.so" ]; then
        echo "run.sh: $target/release/libtoonstore.so not found: run 'cargo build --release --lib'" >&2
        echo "0 passed, 1 failed"
        exit 1
    fi
    incdir="$root/include"
    # A private copy (so a concurrent cargo build cannot swap the file under
    # the running tests) with the SONAME link the dynamic loader looks for.
    libdir="$work/lib"
    mkdir -p "$libdir"
    cp "$target/release/libtoonstore.so" "$libdir/libtoonstore.so"
    ln -s libtoonstore.so "$libdir/libtoonstore.so.1"
fi

cflags=(-std=c99 -Wall -Wextra -Wpedantic -Werror -g -O1 "-I$incdir")
ldflags=("-L$libdir" -ltoonstore -lpthread "-Wl,-rpath,$libdir")
san=(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
srcs=("$here"/main.c "$here"/helpers.c "$here"/test_*.c)

total_pass=0
total_fail=0

# run NAME LOG CMD...: runs one mode, folds its summary into the totals.
run_mode() {
    local name="$1" log="$2"
    shift 2
    local rc=0
    mkdir -p "$work/tmp-$name"
    TMPDIR="$work/tmp-$name" "$@" "${filters[@]}" >"$log" 2>"$log.err" || rc=$?
    local summary
    summary="$(tail -n 1 "$log")"
    local p=0 f=0
    if [[ "$summary" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
        p="${BASH_REMATCH[1]}"
        f="${BASH_REMATCH[2]}"
    else
        f=1 # no summary line: the runner crashed
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # every test passed but the tool failed the run (leak, valgrind error)
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "[$name] $summary"
    else
        echo "[$name] FAILED (exit $rc): $summary"
        grep -E '^(FAIL|  )' "$log" | head -40 || true
        tail -n 40 "$log.err" || true
    fi
}

IFS=',' read -r -a mode_list <<<"$modes"
for mode in "${mode_list[@]}"; do
    case "$mode" in
        plain)
            "$CC" "${cflags[@]}" "${srcs[@]}" "${ldflags[@]}" -o "$work/toonstore_c_tests"
            run_mode plain "$work/plain.log" "$work/toonstore_c_tests"
            ;;
        asan)
            "$CC" "${cflags[@]}" "${san[@]}" "${srcs[@]}" "${ldflags[@]}" -o "$work/toonstore_c_tests_asan"
            # The Rust library is not instrumented, but ASan's malloc/free
            # interception covers its allocations (Rust uses the system
            # allocator), so leaks and double frees across the boundary show.
            # No LeakSanitizer suppressions are needed: LSan scans TLS, so
            # std's per-thread handle is reachable (see valgrind.supp).
            ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1" \
            UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
                run_mode asan+ubsan "$work/asan.log" "$work/toonstore_c_tests_asan"
            ;;
        valgrind)
            if ! command -v valgrind >/dev/null; then
                echo "[valgrind] FAILED: valgrind is not installed (apt-get install valgrind)"
                total_fail=$((total_fail + 1))
                continue
            fi
            "$CC" "${cflags[@]}" "${srcs[@]}" "${ldflags[@]}" -o "$work/toonstore_c_tests_vg"
            run_mode valgrind "$work/valgrind.log" nice valgrind --tool=memcheck --error-exitcode=1 \
                --leak-check=full --show-leak-kinds=definite,indirect,possible \
                --errors-for-leak-kinds=definite,indirect,possible \
                --suppressions="$here/valgrind.supp" --num-callers=40 \
                "$work/toonstore_c_tests_vg"
            ;;
        *)
            echo "run.sh: unknown mode $mode (plain, asan, valgrind)" >&2
            total_fail=$((total_fail + 1))
            ;;
    esac
done

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
