#!/usr/bin/env bash
# Builds and runs the C-boundary benchmark (a benchmark, not a test):
# boundary.c against target/release/libtoonstore.so and libfloor.so (the
# floor: a trivial call into a shared library), then benches/boundary.rs
# (the same reads in Rust). Prints the machine, the date and both tables;
# BENCHMARKS.md ("C boundary") records a run.
#
#   benches/boundary/run.sh [ITERATIONS]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
iters="${1:-2000000}"
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-boundary.XXXXXX")"
trap 'rm -rf "$work"' EXIT

(cd "$root" && cargo build --release --lib --quiet)
mkdir -p "$work/lib"
cp "$target/release/libtoonstore.so" "$work/lib/"
ln -s libtoonstore.so "$work/lib/libtoonstore.so.1"
CC="${CC:-gcc}"
"$CC" -O2 -fPIC -shared -Wall -Wextra -Werror "$here/floor.c" -o "$work/lib/libfloor.so"
"$CC" -std=c99 -O2 -Wall -Wextra -Wpedantic -Werror -I"$root/include" "$here/boundary.c" \
    -L"$work/lib" -ltoonstore -lfloor -Wl,-rpath,"$work/lib" -o "$work/boundary"

echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1), $(nproc) CPUs; $(uname -sr)"
echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "compilers: $("$CC" --version | head -n 1); $(rustc --version)"
echo
"$work/boundary" "$work/db" "$iters"
echo
(cd "$root" && TOONSTORE_BOUNDARY_ITERS="$iters" cargo bench --quiet --bench boundary 2>/dev/null)
