#!/usr/bin/env bash
# The `java` suite: builds io.toonstore:toonstore with Maven (which builds the
# JNI library with cargo and puts it in the jar), runs its JUnit 5 tests,
# installs it into the local Maven repository, and then builds and tests a
# separate project (consumer/) that depends on it like an application would.
#
# Idempotent: installs a JDK (17+) and Maven from Debian's packages when they
# are missing. Maven resolves plugins and JUnit from Maven Central on the first
# run and from ~/.m2 afterwards; cargo's target directory (native/target) is
# kept between runs, so the native rebuild is incremental.
#
# Environment:
#   MVN_ARGS   extra Maven arguments (e.g. "-Dtest=ApiTest")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '==> %s\n' "$*" >&2; }

# shellcheck source=ensure_tools.sh
. "$here/ensure_tools.sh"
toonstore_java_tools

mvn=(nice -n 10 mvn -q -B -ntp)

log "cargo fmt and clippy of the JNI crate (native/)"
cargo fmt --manifest-path "$here/native/Cargo.toml" -- --check
CARGO_TARGET_DIR="$here/native/target" nice -n 10 \
    cargo clippy -q --manifest-path "$here/native/Cargo.toml" --all-targets -- -D warnings

log "mvn install: cargo build, JUnit tests, jar with native/$(uname -s | tr 'A-Z' 'a-z')-$(uname -m)"
# shellcheck disable=SC2086
"${mvn[@]}" -f "$here" install ${MVN_ARGS:-}

# -q hides Surefire's summary: print it from the reports.
python3 - "$here/target/surefire-reports" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
t = f = e = s = 0
for path in glob.glob(sys.argv[1] + "/TEST-*.xml"):
    r = ET.parse(path).getroot()
    t += int(r.get("tests")); f += int(r.get("failures")); e += int(r.get("errors")); s += int(r.get("skipped"))
print(f"java: Surefire ran {t} tests ({f} failures, {e} errors, {s} skipped)")
PY

log "consumer project: depends on io.toonstore:toonstore:1.0.0 from the local repository"
"${mvn[@]}" -f "$here/consumer" test
log "java suite passed"
