#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# install-deps.sh - install the Debian 12 packages poolbench needs.
#
# Usage: scripts/setup/install-deps.sh [--check]
#   (no flag)  install what is missing, with apt-get as root or through sudo;
#              otherwise print the exact apt-get line and exit 1.
#   --check    only report what is missing (exit 1 if anything is).
#
# Only Debian packages are installed; nothing else is downloaded.
set -euo pipefail

PKGS=(
	make gcc g++ pkg-config git
	xz-utils                # the committed reference run is xz-compressed (tests, pack-reference.sh)
	libbenchmark-dev        # Google Benchmark 1.7.1: the timing engine
	libhwloc-dev hwloc      # topology discovery and thread pinning
	libcmocka-dev           # unit / conformance / stress test framework
	jq                      # JSON checks in the harness tests
	python3                 # figure data and paper tables from results.csv (standard library only)
	libbenchmark-tools      # Google Benchmark's compare.py, on our merged bench.json
	python3-scipy           # compare.py's U test; the tests check our own against it
	clang libclang-rt-14-dev  # the fuzz target: clang 14 and its libFuzzer
	gnuplot-nox             # figures from stored results
	pngcheck poppler-utils  # the figure tests: PNG and PDF files that parse
	# the general-allocator peers, each LD_PRELOADed under the malloc backend
	libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0
	# the same-kind peers (allocators/peers/): DPDK 22.11 (EAL, mempool with
	# its ring driver, ring, stack), Concurrency Kit 0.7 (header-only),
	# GLib 2.74 (the slice allocator)
	libdpdk-dev librte-eal23 librte-mempool23 librte-mempool-ring23
	librte-ring23 librte-stack23 libck-dev libglib2.0-dev
	# the Slurm executor (--executor slurm): its client commands, and the
	# daemons tests/cluster/slurm-local.sh starts as a one-node cluster
	slurm-client slurmctld slurmd munge
	# make paper: LaTeX from Debian
	texlive-latex-base texlive-latex-recommended texlive-fonts-recommended lmodern
)

missing=()
for p in "${PKGS[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "${1:-}" = "--check" ]; then
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
	sudo=(sudo -n)
else
	echo "install-deps: missing Debian packages: ${missing[*]}" >&2
	echo "install-deps: run this as root, then retry:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Install, start no service: the Slurm and MUNGE packages ship init
# scripts that would start the system's daemons (unconfigured) or fail in
# their postinst without a slurm.conf; the project starts its own
# (tests/cluster/slurm-local.sh). A policy-rc.d already there is left as is.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# install-deps.sh: no service starts while it installs\nexit 101\n' |
		"${sudo[@]}" tee "$policy" >/dev/null
	"${sudo[@]}" chmod 0755 "$policy"
	trap '"${sudo[@]}" rm -f "$policy"' EXIT
fi
"${sudo[@]}" apt-get update -q
# shellcheck disable=SC2086
"${sudo[@]}" $cmd
