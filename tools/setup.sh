#!/usr/bin/env bash
# Make this machine able to run tinyinit's demo and tests (Debian, as root): install the
# Debian packages that are missing and, with --docker, start dockerd when `docker info` fails.
# Safe to run again: it installs and starts only what is missing.
#
# redis-server: a real program some tests run. With --docker, also what the Docker suite needs:
# docker.io, debootstrap (its base image), ffmpeg, tmux, and podman, its second engine. Podman needs no daemon; rootful
# podman runs with runc (named here: podman alone could pull in crun instead) and catatonit
# (its --init and its pods' pause process). Its settings are the checkout's
# podman/containers.conf, which the tests point CONTAINERS_CONF at: nothing under /etc changes.
set -euo pipefail

packages=(make gcc libcap-dev python3-venv python3-dev util-linux procps tini dumb-init catatonit
  redis-server)
with_docker=no
if [ "${1:-}" = --docker ]; then
  with_docker=yes
  packages+=(docker.io debootstrap ffmpeg tmux podman runc)
fi

say() { echo "setup: $*" >&2; }

missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    say "missing Debian packages (run as root to install them): ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

if [ "$with_docker" = yes ] && ! docker info >/dev/null 2>&1; then
  say "starting dockerd (log: /tmp/tinyinit-dockerd.log)"
  nohup dockerd >/tmp/tinyinit-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    say "dockerd did not start:"
    tail -n 20 /tmp/tinyinit-dockerd.log >&2
    exit 1
  fi
fi
