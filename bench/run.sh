#!/bin/bash
# `make bench`: tinyinit side by side with tini, dumb-init and catatonit, each a real PID 1, in one
# run. Installs what a fresh machine lacks, then runs bench/bench.py, which prints the table and
# writes bench/out/results.json, bench/out/results.png, bench/results.png and bench/RESULTS.md.
#
#   bash bench/run.sh [BENCH.PY OPTIONS]     (default options: --publish)
#
# The bench venv (BENCH_VENV, default bench/out/venv, made with PYTHON, default python3) holds
# tinyinit built from this checkout (not editable, as users install it) and matplotlib; the
# `python -c pass` baseline runs from the same venv. setuptools is removed from it: its
# distutils-precedence.pth runs at every interpreter start, and would blur the baseline.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
python=${PYTHON:-python3}
venv=${BENCH_VENV:-$here/out/venv}

say() { echo "bench: $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "the bench needs root (unshare --pid --mount-proc, apt-get)"

# The peer inits and the compiler for the helper programs, from Debian's packages.
need=()
for pkg in tini dumb-init catatonit; do
    command -v "$pkg" >/dev/null || need+=("$pkg")
done
command -v gcc >/dev/null || need+=(gcc)
[ -e /usr/include/stdio.h ] || need+=(libc6-dev)
command -v unshare >/dev/null || need+=(util-linux)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    say "apt-get install ${need[*]}"
    # Only refresh the package lists when the install cannot go ahead without it.
    if ! apt-get install -y -q --no-install-recommends "${need[@]}" >&2; then
        say "apt-get update"
        apt-get update -q >&2
        apt-get install -y -q --no-install-recommends "${need[@]}" >&2
    fi
fi

# The bench venv: tinyinit from this checkout, its dependencies, and matplotlib (the `bench`
# dependency group of pyproject.toml: `pip install --group` needs pip >= 25.1).
if [ ! -x "$venv/bin/python" ]; then
    say "creating $venv"
    "$python" -m venv "$venv"
fi
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"' EXIT
pip_log=$wheels/pip.log
pip() {
    "$venv/bin/python" -m pip -q --disable-pip-version-check "$@" >>"$pip_log" 2>&1 ||
        { cat "$pip_log" >&2; die "pip $1 failed"; }
}
say "installing tinyinit from $root into $venv"
pip wheel --no-deps -w "$wheels" "$root"
wheel=$(ls "$wheels"/tinyinit-*.whl)
pip install --upgrade "pip>=25.1"
pip install "$wheel" --group "$root/pyproject.toml:bench"
pip install --no-deps --force-reinstall "$wheel"
if "$venv/bin/python" -c 'import setuptools' 2>/dev/null; then
    pip uninstall -y setuptools
fi

[ $# -gt 0 ] || set -- --publish
exec "$venv/bin/python" "$here/bench.py" --venv "$venv" "$@"
