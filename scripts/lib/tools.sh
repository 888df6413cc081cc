# shellcheck shell=bash
# Where the project's own tools live, and how they get there. Sourced (never
# run) by the scripts; the caller sets ROOT to the repository root first.
#
# Nothing here installs into the system Python or calls a tool because it
# happens to be on PATH:
#   - PyPI tools go into a virtual environment created with `python3 -m venv`
#     (Debian's python3-venv is installed from apt when the module is
#     missing); a script calls them through that venv's python.
#       $TOOLS_VENV (.tools/venv): Zig (the `ziglang` wheel, run as
#       `python -m ziglang`); the Python binding keeps its own venv
#       (bindings/python/.venv: maturin, pytest, mypy, lmdb, the package).
#   - cargo tools go into $TOOLS_CARGO_ROOT (.tools/cargo) with
#     `cargo install --root`, and are run from its bin/.
# The versions are pinned here, once.
#
# Environment: TOONSTORE_TOOLS_DIR (default <repo>/.tools); PYTHON, the
# interpreter a new venv is created with (default python3 on PATH).

: "${ROOT:?scripts/lib/tools.sh needs ROOT (the repository root)}"
TOOLS_DIR=${TOONSTORE_TOOLS_DIR:-$ROOT/.tools}
TOOLS_VENV=$TOOLS_DIR/venv
TOOLS_CARGO_ROOT=$TOOLS_DIR/cargo
ZIG_VERSION=0.15.2
CARGO_FUZZ_VERSION=0.13.1

# cargo itself comes from rustup's usual place when PATH lacks it.
case ":$PATH:" in
  *":${CARGO_HOME:-$HOME/.cargo}/bin:"*) ;;
  *) export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin" ;;
esac

tools_say() { printf 'tools: %s\n' "$*" >&2; }

# as_root CMD...: runs CMD as root (directly, or through password-less sudo);
# returns 125 without running it when neither is available.
as_root() {
  if [ "$(id -u)" = 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n "$@"
  else
    return 125
  fi
}

# apt_install PKG...: installs Debian packages (waiting for another apt-get or
# dpkg to finish first). Returns non-zero, after printing the command to run
# by hand, when it cannot.
apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    tools_say "no apt-get: install the equivalents of: $*"
    return 1
  fi
  if ! as_root true 2>/dev/null; then
    tools_say "needs root or password-less sudo to install Debian packages. Run:"
    printf '  sudo apt-get update && sudo apt-get install -y %s\n' "$*" >&2
    return 1
  fi
  local _
  for _ in $(seq 1 120); do
    pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1 || break
    tools_say "waiting for another apt-get/dpkg to finish..."
    sleep 5
  done
  tools_say "apt-get install $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# ensure_venv DIR: a working virtual environment in DIR (created with
# ${PYTHON:-python3} -m venv when missing or broken, e.g. when the
# interpreter it was made from is gone).
ensure_venv() {
  local dir=$1 py=${PYTHON:-python3}
  if [ -x "$dir/bin/python" ] && "$dir/bin/python" -c 'import pip' >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v "$py" >/dev/null 2>&1; then
    tools_say "no $py: install Python 3 with its venv module (Debian: apt-get install python3 python3-venv)"
    return 1
  fi
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  tools_say "creating virtual environment $dir ($("$py" -c 'import sys; print(sys.executable, sys.version.split()[0])'))"
  if "$py" -m venv "$dir" >/dev/null 2>&1; then
    return 0
  fi
  rm -rf "$dir"
  # Debian and Ubuntu ship venv's ensurepip separately, in python3-venv.
  tools_say "$py -m venv failed; installing Debian's python3-venv"
  apt_install python3-venv >/dev/null || return 1
  if "$py" -m venv "$dir"; then
    return 0
  fi
  rm -rf "$dir"
  tools_say "could not create a virtual environment with $py"
  return 1
}

# venv_pip DIR ARGS...: `pip install ARGS` into the venv in DIR.
venv_pip() {
  local dir=$1
  shift
  "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}

# The command that runs the project's Zig (once ensure_zig succeeded):
#   "${ZIG[@]}" build ...
ZIG=("$TOOLS_VENV/bin/python" -m ziglang)

# have_zig: the pinned Zig is installed in the tools venv.
have_zig() {
  [ "$("${ZIG[@]}" version 2>/dev/null)" = "$ZIG_VERSION" ]
}

# ensure_zig: installs ziglang==$ZIG_VERSION from PyPI into $TOOLS_VENV.
ensure_zig() {
  have_zig && return 0
  ensure_venv "$TOOLS_VENV" || return 1
  tools_say "installing ziglang==$ZIG_VERSION from PyPI into $TOOLS_VENV"
  venv_pip "$TOOLS_VENV" "ziglang==$ZIG_VERSION" || return 1
  have_zig
}

# ensure_cargo_fuzz: cargo-fuzz $CARGO_FUZZ_VERSION in $TOOLS_CARGO_ROOT/bin,
# which it also puts first on PATH (cargo finds `cargo fuzz` there).
ensure_cargo_fuzz() {
  export PATH="$TOOLS_CARGO_ROOT/bin:$PATH"
  if [ "$("$TOOLS_CARGO_ROOT/bin/cargo-fuzz" --version 2>/dev/null | awk '{print $2}')" = "$CARGO_FUZZ_VERSION" ]; then
    return 0
  fi
  tools_say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS_CARGO_ROOT (cargo install, from crates.io)"
  nice -n 10 cargo install --quiet --locked --root "$TOOLS_CARGO_ROOT" "cargo-fuzz@$CARGO_FUZZ_VERSION"
}
