# Shared by the step scripts of the build matrix (scripts/build-matrix.sh and
# .github/workflows/matrix.yml call the same steps). Sourced, not run.
#
# Platforms (the issue's names) and their Rust targets:
#   linux-x64    x86_64-unknown-linux-gnu
#   linux-arm64  aarch64-unknown-linux-gnu   (here: cross gcc + qemu-user)
#   windows-x64  x86_64-pc-windows-gnu       (here: mingw-w64 + wine)
#   macos-x64    x86_64-apple-darwin         (here: cargo check only)
#   macos-arm64  aarch64-apple-darwin        (here: cargo check only)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -n 1)"
DIST="${TOONSTORE_DIST:-$ROOT/dist}"
# A target directory of its own: the matrix never waits for (or disturbs) the
# test suites' builds in target/.
export CARGO_TARGET_DIR="${TOONSTORE_MATRIX_TARGET_DIR:-$ROOT/target/matrix}"

ALL_PLATFORMS=(linux-x64 linux-arm64 windows-x64 macos-x64 macos-arm64)

rust_target() {
    case "$1" in
        linux-x64) echo x86_64-unknown-linux-gnu ;;
        linux-arm64) echo aarch64-unknown-linux-gnu ;;
        windows-x64) echo x86_64-pc-windows-gnu ;;
        macos-x64) echo x86_64-apple-darwin ;;
        macos-arm64) echo aarch64-apple-darwin ;;
        *) echo "unknown platform $1" >&2; return 1 ;;
    esac
}

# The platform this machine is (what runs natively).
host_platform() {
    local os arch
    os="$(uname -s)"
    arch="$(uname -m)"
    case "$os-$arch" in
        Linux-x86_64) echo linux-x64 ;;
        Linux-aarch64) echo linux-arm64 ;;
        Darwin-x86_64) echo macos-x64 ;;
        Darwin-arm64) echo macos-arm64 ;;
        MINGW*-x86_64 | MSYS*-x86_64 | CYGWIN*-x86_64) echo windows-x64 ;;
        *) echo "$os-$arch" ;;
    esac
}

# C compiler for a platform's code (cross where this machine is another one).
c_compiler() {
    local host
    host="$(host_platform)"
    if [ "$1" = "$host" ]; then
        echo "${CC:-cc}"
        return
    fi
    case "$1" in
        linux-arm64) echo aarch64-linux-gnu-gcc ;;
        windows-x64) echo x86_64-w64-mingw32-gcc-posix ;;
        *) echo "${CC:-cc}" ;;
    esac
}

# Cross linkers for cargo, where the cross compilers exist.
if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
    export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
fi
if command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
fi

log() { printf 'build-matrix: %s\n' "$*" >&2; }

# The directory cargo puts a target's release build in.
release_dir() {
    echo "${CARGO_TARGET_DIR:-$ROOT/target}/$(rust_target "$1")/release"
}
