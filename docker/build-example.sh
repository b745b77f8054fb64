#!/bin/bash
# Build Dockerfile.example with tinyinit from a checkout, offline, and print the image's name.
#
#   docker/build-example.sh [CHECKOUT]        (default: the checkout this script is in)
#
# Steps: the base image (build-image.sh); a wheel of the checkout (`pip wheel`) and a psutil wheel
# for the base image's Python (`pip download`, on the host: the build containers cannot be assumed
# to reach PyPI); a "feed" image = base + those wheels + the pip settings that make
# `pip install tinyinit` take them (PIP_NO_INDEX, PIP_FIND_LINKS, and PIP_BREAK_SYSTEM_PACKAGES
# because Debian's Python, unlike the python:*-slim images, refuses system-wide installs
# otherwise); then Dockerfile.example, unchanged, with --build-arg BASE=<feed image>.
# The example image's tag hashes its inputs, so an unchanged checkout reuses it.
#
# Environment: PYTHON (default python3) runs pip on the host; TINYINIT_CACHE_DIR as in
# build-image.sh; TINYINIT_EXAMPLE_NAME (default tinyinit-example).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
checkout=$(cd "${1:-$here/..}" && pwd)
python=${PYTHON:-python3}
cache=${TINYINIT_CACHE_DIR:-$here/.cache}
name=${TINYINIT_EXAMPLE_NAME:-tinyinit-example}

say() { echo "build-example: $*" >&2; }
die() { say "error: $*"; exit 1; }

# The classic builder: it needs no buildx plugin and resolves FROM against local images only.
export DOCKER_BUILDKIT=0

base=$("$here/build-image.sh")
[ -f "$checkout/Dockerfile.example" ] || die "no Dockerfile.example in $checkout"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/feed/wheels" "$cache"

say "pip wheel $checkout"
"$python" -m pip wheel --quiet --no-deps --disable-pip-version-check -w "$work/feed/wheels" \
    "$checkout" >&2 || die "pip wheel failed"

# psutil's binary wheel for the image's Python and machine, downloaded once and kept in the cache.
pyver=$(docker run --rm --network none --entrypoint python3 "$base" \
    -c 'import sys; print("%d.%d" % sys.version_info[:2])')
psutil_dir=$cache/wheels/py$pyver-$(uname -m)
if ! ls "$psutil_dir"/psutil-*.whl >/dev/null 2>&1; then
    say "pip download psutil for Python $pyver"
    mkdir -p "$psutil_dir"
    "$python" -m pip download --quiet --no-deps --disable-pip-version-check --only-binary=:all: \
        --python-version "$pyver" --implementation cp \
        --platform "manylinux2014_$(uname -m)" -d "$psutil_dir" psutil >&2 ||
        die "pip download psutil failed"
fi
cp "$psutil_dir"/psutil-*.whl "$work/feed/wheels/"

cat >"$work/feed/Dockerfile" <<EOF
FROM $base
COPY wheels/ /opt/tinyinit-wheels/
ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/opt/tinyinit-wheels PIP_BREAK_SYSTEM_PACKAGES=1
EOF

# The tag: a hash of what goes into the image. Wheels are zip files with timestamps inside, so
# hash their members' names and CRCs rather than their bytes.
tag=$(
    {
        docker image inspect --format '{{.Id}}' "$base"
        cat "$work/feed/Dockerfile" "$checkout/Dockerfile.example"
        "$python" - "$work/feed/wheels" <<'PY'
import pathlib
import sys
import zipfile

for wheel in sorted(pathlib.Path(sys.argv[1]).glob("*.whl")):
    print(wheel.name)
    with zipfile.ZipFile(wheel) as z:
        for info in sorted(z.infolist(), key=lambda i: i.filename):
            if not info.filename.endswith(".dist-info/RECORD"):
                print(info.filename, info.CRC)
PY
    } | sha256sum | cut -c1-12
)
image=$name:$tag

if docker image inspect "$image" >/dev/null 2>&1; then
    say "reusing $image"
    echo "$image"
    exit 0
fi

say "docker build feed image $name-feed:$tag"
docker build --quiet -t "$name-feed:$tag" "$work/feed" >&2 || die "feed image build failed"
say "docker build $image from Dockerfile.example"
docker build --quiet --build-arg "BASE=$name-feed:$tag" -f "$checkout/Dockerfile.example" \
    -t "$image" "$work/feed" >&2 || die "Dockerfile.example build failed"

# Older builds of the example are no longer needed, nor images the test suite derived from them
# ($name-user; listed first, being the newest, so that their parents can go too).
docker image ls --format '{{.Repository}}:{{.Tag}}' --filter "reference=$name" \
    --filter "reference=$name-feed" --filter "reference=$name-user" |
    grep -v -e ":$tag\$" | xargs -r docker image rm >/dev/null 2>&1 || true
echo "$image"
