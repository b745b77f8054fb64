#!/bin/bash
# Build Dockerfile.example with tinyinit from a checkout, offline, and print the image's name.
#
#   docker/build-example.sh [CHECKOUT]        (default: the checkout this script is in)
#
# Dockerfile.example builds tinyinit's wheel from its build context, the checkout, and installs
# it into a venv. Nothing in a build container reaches PyPI here, so this script downloads on
# the host (once, into the cache) the wheels pip would fetch there: psutil for the base image's
# Python and machine, and the build backend that pyproject.toml's [build-system] requires (for
# pip's build isolation). Steps: the base image (build-image.sh); a "feed" image = base + those
# wheels + the pip settings that make pip take them (PIP_NO_INDEX, PIP_FIND_LINKS) and nothing
# else: its Debian python3 still refuses system-wide installs (PEP 668), as on any Debian image,
# so the suite also proves that Dockerfile.example copes with that; then Dockerfile.example,
# unchanged, with --build-arg BASE=<feed image> and the checkout as its build context.
# The example image is tagged with the start of its image id: docker's layer cache gives an
# unchanged checkout the same id, so images the suite derives from it ($name-user) are reused.
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

# The build backend (pure Python wheels), as pyproject.toml's [build-system] requires it.
read_requires='
import ast, re, sys
text = open(sys.argv[1], encoding="utf-8").read()
block = text.split("[build-system]", 1)[1].split("\n[", 1)[0]
match = re.search(r"^requires\s*=\s*(\[.*?\])", block, re.M | re.S)
print("\n".join(ast.literal_eval(match.group(1))))
'
mapfile -t backend < <("$python" -c "$read_requires" "$checkout/pyproject.toml")
[ ${#backend[@]} -gt 0 ] || die "no [build-system] requires in $checkout/pyproject.toml"
backend_dir=$cache/wheels/build-$(printf '%s\n' "${backend[@]}" | sha256sum | cut -c1-12)
if ! ls "$backend_dir"/*.whl >/dev/null 2>&1; then
    say "pip download ${backend[*]}"
    mkdir -p "$backend_dir"
    "$python" -m pip download --quiet --disable-pip-version-check --only-binary=:all: \
        -d "$backend_dir" "${backend[@]}" >&2 || die "pip download ${backend[*]} failed"
fi
cp "$backend_dir"/*.whl "$work/feed/wheels/"

printf '%s\n' "FROM $base" "COPY wheels/ /opt/tinyinit-wheels/" \
    "ENV PIP_NO_INDEX=1 PIP_FIND_LINKS=/opt/tinyinit-wheels" >"$work/feed/Dockerfile"
feed_tag=$(
    {
        docker image inspect --format '{{.Id}}' "$base"
        cat "$work/feed/Dockerfile"
        ls "$work/feed/wheels"
    } | sha256sum | cut -c1-12
)
feed=$name-feed:$feed_tag
if docker image inspect "$feed" >/dev/null 2>&1; then
    say "reusing $feed"
else
    say "docker build feed image $feed"
    docker build --quiet -t "$feed" "$work/feed" >&2 || die "feed image build failed"
fi

say "docker build Dockerfile.example on $feed, build context $checkout"
id=$(docker build --quiet --build-arg "BASE=$feed" -f "$checkout/Dockerfile.example" \
    "$checkout") || die "Dockerfile.example build failed"
id=${id##*sha256:}
tag=${id:0:12}
image=$name:$tag
docker tag "$id" "$image"

# Older builds of the example are no longer needed, nor images the test suite derived from them
# ($name-user; listed first, being the newest, so that their parents can go too), nor older
# feed images.
docker image ls --format '{{.Repository}}:{{.Tag}}' --filter "reference=$name-user" \
    --filter "reference=$name" | grep -v -e ":$tag\$" | xargs -r docker image rm >/dev/null 2>&1 ||
    true
docker image ls --format '{{.Repository}}:{{.Tag}}' --filter "reference=$name-feed" |
    grep -v -x -e "$feed" | xargs -r docker image rm >/dev/null 2>&1 || true
echo "$image"
