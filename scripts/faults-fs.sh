#!/usr/bin/env bash
# Faults of the filesystem under the engine (issue 21), on real mounts:
#   1. disk full: a 24 MiB ext2 (no fallocate: reserved space is zero-filled),
#      a 24 MiB tmpfs and a 24 MiB ext4 are filled to the last block through
#      a database in OFF, NORMAL and FULL durability; each put that finds no
#      space must fail with TOONSTORE_ERR_IO ("No space left on device"),
#      never SIGBUS, and writes resume once space is freed
#      (tests/fs_faults.rs, disk_full_is_an_error_never_a_signal);
#   2. a read-only filesystem: the ext4 remounted read-only; a writable open
#      fails clearly, a read-only open reads every row (read_only_filesystem).
# Needs root (mount, loop devices). Without it, or where a mount fails, it
# says why and skips that part (counted as skipped, not passed).
# Ends with `N passed, M failed, K skipped`.
#
#   scripts/faults-fs.sh
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
passed=0
failed=0
skipped=0
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-faults-fs.XXXXXX")"
mounted=()
cleanup() {
  for m in "${mounted[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ]; then
  echo "faults-fs: skipped: not root (mounting test filesystems needs root)"
  echo "0 passed, 0 failed, 2 skipped"
  exit 0
fi

echo "faults-fs: building the tests"
if ! nice cargo test --release --test fs_faults --no-run --quiet 2>"$work/build.log"; then
  tail -30 "$work/build.log"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

# mount_fs LABEL KIND: mounts a 24 MiB filesystem of KIND under $work/LABEL.
mount_fs() {
  local label="$1" kind="$2" dir="$work/$1"
  mkdir -p "$dir"
  case "$kind" in
    tmpfs) mount -t tmpfs -o size=24m tmpfs "$dir" ;;
    ext2 | ext4)
      truncate -s 24M "$work/$label.img" &&
        "mkfs.$kind" -q -F "$work/$label.img" >/dev/null &&
        mount -o loop "$work/$label.img" "$dir"
      ;;
  esac || {
    echo "faults-fs: skipped $label: cannot mount a $kind filesystem here"
    return 1
  }
  mounted+=("$dir")
  echo "faults-fs: mounted $kind at $dir ($(df -h --output=size "$dir" | tail -1 | tr -d ' '))"
}

dirs=""
for fs in ext2 tmpfs ext4; do
  if mount_fs "$fs" "$fs"; then
    dirs="$dirs$fs=$work/$fs:"
  else
    skipped=$((skipped + 1))
  fi
done

run() {
  local name="$1"
  shift
  if "$@" >"$work/$name.log" 2>&1; then
    passed=$((passed + 1))
    echo "faults-fs: $name: ok"
  else
    failed=$((failed + 1))
    echo "faults-fs: $name: FAILED; last lines of its log:"
    tail -40 "$work/$name.log"
  fi
  grep -h '^fs_faults:' "$work/$name.log" | sed 's/^/  /' || true
}

if [ -n "$dirs" ]; then
  run "disk full" env TOONSTORE_FS_DIRS="$dirs" \
    nice cargo test --release --quiet --test fs_faults disk_full -- --ignored --nocapture --test-threads 1
fi

if [[ "$dirs" == *ext4=* ]]; then
  db="$work/ext4/ro-db"
  if env TOONSTORE_RO_DB="$db" TOONSTORE_RO_STAGE=prepare \
    cargo test --release --quiet --test fs_faults read_only_filesystem -- --ignored >"$work/ro-prepare.log" 2>&1 &&
    mount -o remount,ro "$work/ext4"; then
    run "read-only filesystem" env TOONSTORE_RO_DB="$db" TOONSTORE_RO_STAGE=check \
      cargo test --release --quiet --test fs_faults read_only_filesystem -- --ignored --nocapture
  else
    echo "faults-fs: read-only filesystem: could not prepare or remount"
    tail -20 "$work/ro-prepare.log"
    failed=$((failed + 1))
  fi
else
  echo "faults-fs: skipped read-only filesystem: no ext4 mount"
  skipped=$((skipped + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
