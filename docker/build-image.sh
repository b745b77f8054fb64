#!/bin/bash
# Build the base image of the Docker suite, or reuse it, and print its name (NAME:TAG) on stdout.
#
# No registry is reachable here, so `FROM python:...` cannot work. The base is a minimal Debian
# made with debootstrap from the Debian mirror this machine's apt already uses, then imported
# with `docker import`. TAG is a hash of the recipe (this script and base.packages), so the image
# is rebuilt only when the recipe changes. Progress goes to stderr; stdout carries only the name.
#
# Environment:
#   TINYINIT_BASE_NAME       repository name of the image (default tinyinit-base)
#   TINYINIT_DEBIAN_MIRROR   Debian mirror URL (default: read from this machine's apt sources)
#   TINYINIT_CACHE_DIR       work and package-cache directory (default docker/.cache)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=bookworm
name=${TINYINIT_BASE_NAME:-tinyinit-base}
cache=${TINYINIT_CACHE_DIR:-$here/.cache}
packages_file=$here/base.packages

say() { echo "build-image: $*" >&2; }
die() { say "error: $*"; exit 1; }
# Exit 2: this machine lacks a prerequisite (the test suite then skips outside CI).
missing() { say "error: $*"; exit 2; }

recipe_hash() {
    cat "${BASH_SOURCE[0]}" "$packages_file" | sha256sum | cut -c1-12
}

# The first mirror URI of the host's apt sources that serves $suite (deb822 .sources files, then
# one-line sources.list), skipping the security archive, which has no full suite.
host_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -r "$f" ] || continue
        awk -v suite="$suite" '
            function flush() {
                if (uris != "" && types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ")) {
                    split(uris, u, " ")
                    for (i in u) if (u[i] !~ /security/) { print u[i]; found = 1; exit }
                }
                uris = ""; suites = ""; types = ""
            }
            /^[ \t]*$/ { flush(); next }
            tolower($1) == "uris:" { $1 = ""; uris = $0 }
            tolower($1) == "suites:" { $1 = ""; suites = $0 }
            tolower($1) == "types:" { $1 = ""; types = $0 }
            END { if (!found) flush() }
        ' "$f"
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        awk -v suite="$suite" '
            $1 == "deb" {
                i = 2
                if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                if ($(i + 1) == suite && $i !~ /security/) { print $i; exit }
            }
        ' "$f"
    done
}

packages() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$packages_file" | tr -d ' \t' | paste -sd, -
}

unmount_under() {
    local m
    awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/mounts | sort -r |
        while read -r m; do umount -l "$m" || true; done
}

image=$name:$(recipe_hash)

if docker image inspect "$image" >/dev/null 2>&1; then
    say "reusing $image"
    echo "$image"
    exit 0
fi

command -v debootstrap >/dev/null || missing "debootstrap is not installed (apt-get install debootstrap)"
[ "$(id -u)" = 0 ] || missing "debootstrap needs root"

mkdir -p "$cache/debs"
exec 9>"$cache/build.lock"
flock 9
# Another build may have finished while this one waited for the lock.
if docker image inspect "$image" >/dev/null 2>&1; then
    say "reusing $image"
    echo "$image"
    exit 0
fi

mirror=${TINYINIT_DEBIAN_MIRROR:-$(host_mirror | head -n1)}
[ -n "$mirror" ] || die "no Debian mirror found in /etc/apt sources; set TINYINIT_DEBIAN_MIRROR"

root=$(mktemp -d "$cache/rootfs.XXXXXX")
cleanup() {
    unmount_under "$root"
    rm -rf --one-file-system "$root"
}
trap cleanup EXIT

start=$SECONDS
log=$cache/debootstrap.log
say "debootstrap $suite ($(packages)) from $mirror (log: $log)"
if ! debootstrap --variant=minbase --include="$(packages)" --cache-dir="$cache/debs" \
    "$suite" "$root" "$mirror" >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    die "debootstrap failed (log: $log)"
fi

# Keep the image small and free of this machine's state.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
    "$root"/var/log/* "$root"/tmp/* "$root"/debootstrap
: >"$root/etc/hostname"

say "docker import $image"
tar --numeric-owner -C "$root" -c . |
    docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        --message "debootstrap $suite minbase + $(packages)" \
        - "$image" >&2
say "built $image in $((SECONDS - start)) s"
# Images of earlier recipes are no longer used by this checkout.
docker image ls --format '{{.Repository}}:{{.Tag}}' --filter "reference=$name" | grep -vx "$image" |
    xargs -r docker image rm >/dev/null 2>&1 || true
echo "$image"
