#!/usr/bin/env bash
# Runs the README's commands the way a new user would: in a fresh clone of
# the committed HEAD, in a temporary folder, with an empty environment whose
# PATH holds only the system's folders and ~/.cargo/bin:
#
#   env -i HOME=$HOME PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin
#
# so every tool a command needs comes either from the machine (Rust, a C/C++
# compiler, Python 3 with venv) or from what the project's scripts install
# (Debian packages, and PyPI/cargo tools into project-local folders). A tool
# that only works because it happens to be on the developer's PATH (a global
# maturin, a pyenv shim, cargo-fuzz in ~/.cargo/bin from another project...)
# fails here.
#
#   scripts/fresh-clone-check.sh [--examples] [--tests] [--python PATH] [--keep] [--lines N]
#
#   --examples      run scripts/run-examples.sh
#   --tests         run scripts/test-all-bindings.sh
#                   (neither given: both, examples first)
#   --python PATH   the python3 first on PATH (default: the system's, i.e. the
#                   first python3 in the PATH above, on Debian /usr/bin/python3).
#                   PATH gets a folder holding only python3/python -> PATH, so
#                   nothing else from that interpreter's folder leaks in.
#   --keep          keep the clone (default: removed at the end)
#   --lines N       how many last lines of each command to print (default 15)
#
# Environment passed through to the commands: ONLY (which suites the test
# command runs), SKIP_SETUP. Everything else is dropped.
#
# Prints each command's last lines and a summary; the full logs are copied to
# target/fresh-clone-check/ of this checkout. Exits 0 when every command
# passed, 1 otherwise. Slow (a fresh clone builds everything from nothing:
# tens of minutes for the whole test command), so it is not a suite of the
# test command; run it before a release or after changing how tools are
# installed.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLEAN_PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin"

run_examples=0
run_tests=0
python=""
keep=0
lines=15
usage() { sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --examples) run_examples=1 ;;
    --tests) run_tests=1 ;;
    --python) python=${2:?--python needs a path}; shift ;;
    --python=*) python=${1#--python=} ;;
    --keep) keep=1 ;;
    --lines) lines=${2:?--lines needs a number}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "fresh-clone-check: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ "$run_examples" = 0 ] && [ "$run_tests" = 0 ]; then
  run_examples=1
  run_tests=1
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/toonstore-fresh-clone.XXXXXX")
LOGS="$ROOT/target/fresh-clone-check"
mkdir -p "$LOGS"
cleanup() {
  if [ "$keep" = 1 ]; then echo "fresh-clone-check: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

path=$CLEAN_PATH
if [ -n "$python" ]; then
  if ! [ -x "$python" ]; then
    echo "fresh-clone-check: --python $python is not an executable" >&2
    exit 2
  fi
  mkdir -p "$WORK/python-bin"
  ln -s "$python" "$WORK/python-bin/python3"
  ln -s "$python" "$WORK/python-bin/python"
  path="$WORK/python-bin:$CLEAN_PATH"
fi

head=$(git -C "$ROOT" rev-parse HEAD) || exit 1
echo "fresh-clone-check: cloning $ROOT (HEAD ${head:0:7}) into $WORK/toonstore"
if [ -n "$(git -C "$ROOT" status --porcelain --untracked-files=no)" ]; then
  echo "fresh-clone-check: note: uncommitted changes in $ROOT are not part of the check"
fi
git clone --quiet --no-local "$ROOT" "$WORK/toonstore" &&
  git -C "$WORK/toonstore" checkout --quiet --detach "$head" || exit 1

run_env=(env -i "HOME=$HOME" "PATH=$path")
[ -n "${ONLY:-}" ] && run_env+=("ONLY=$ONLY")
[ -n "${SKIP_SETUP:-}" ] && run_env+=("SKIP_SETUP=$SKIP_SETUP")
echo "fresh-clone-check: environment: ${run_env[*]:2}"
echo "fresh-clone-check: python3 = $("${run_env[@]}" bash -c 'command -v python3 && python3 --version' | xargs)"

names=()
statuses=()
run() {  # NAME COMMAND: runs COMMAND in the clone, logs to $LOGS/NAME.log
  local name=$1 cmd=$2 log="$LOGS/$1.log" start=$SECONDS status
  echo "fresh-clone-check: running $cmd (log: $log)"
  (cd "$WORK/toonstore" && "${run_env[@]}" bash -c "$cmd") >"$log" 2>&1
  status=$?
  echo "----- last $lines lines of $cmd (exit $status, $((SECONDS - start)) s)"
  tail -n "$lines" "$log"
  names+=("$name")
  statuses+=("$status")
}

[ "$run_examples" = 1 ] && run run-examples scripts/run-examples.sh
[ "$run_tests" = 1 ] && run test-all-bindings scripts/test-all-bindings.sh

overall=0
echo "----- fresh-clone-check summary (HEAD $(git -C "$WORK/toonstore" rev-parse --short HEAD), python3 $("${run_env[@]}" python3 --version 2>&1 | awk '{print $2}'))"
for i in "${!names[@]}"; do
  echo "  ${names[$i]}: exit ${statuses[$i]}"
  [ "${statuses[$i]}" = 0 ] || overall=1
done
exit "$overall"
