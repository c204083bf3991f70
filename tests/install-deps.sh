#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Installs what building and testing need on Debian 12 (run as root). Idempotent: does
# nothing when everything is there already.
set -euo pipefail

packages=(
    # build
    build-essential cmake pkg-config libsystemd-dev libcurl4-openssl-dev libjansson-dev
    # unit tier
    libcmocka-dev python3 dbus valgrind strace
    # static analysis
    cppcheck clang-tidy
    # fuzzing (libFuzzer)
    clang libclang-rt-14-dev
    # packages (label package)
    debhelper lintian rpm rsync fakeroot udev man-db groff-base dpkg-dev
    # system tier: a Debian root booted with systemd-nspawn
    debootstrap systemd-container
    # e2e tier and demo: namespaces, DHCP/RA server, the real networkd
    iproute2 dnsmasq-base systemd util-linux procps iputils-ping curl nftables
    # ec2-netctl scenarios: reading its JSON output; patch to apply the diffs of plan
    jq patch
    # the check against a client nobody here wrote (npm package)
    nodejs npm
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# A machine may have Node.js from elsewhere; then the Debian packages are not needed.
if command -v node >/dev/null && command -v npm >/dev/null; then
    missing=("${missing[@]/nodejs/}"); missing=("${missing[@]/npm/}")
fi
read -r -a missing <<<"${missing[*]}"
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
