#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_broken.sh - the suites catch what they claim to. Each backend of
# tests/broken/broken.c has one planted bug; run alone (PB_TEST_ONLY) in
# the suites linked with them (build/broken/, never the real suites), the
# suite named here must fail and say what went wrong. tests/README.md
# lists the same table.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# backend | variant | suite | what its output must say
cases='
broken-align|release|test_geometry|is not aligned to 64
broken-overlap|release|test_geometry|overlaps object
broken-bulk-dup|release|test_geometry|are the same object
broken-bulk-short|release|test_geometry|alloc_bulk(15) returned 8 with room
broken-capacity|release|test_geometry|served more than its capacity of 3
broken-stray|release|test_geometry|changed before it was freed
broken-stray|release|test_stress|stray writes: a live object
broken-stray|release|test_model|was written while it was live
broken-leak|asan|test_conformance|detected memory leaks
broken-stats|release|test_conformance|FAILED  ] broken-stats/exclusive/stats_monotonic
broken-ctx|release|test_model|handed out twice
'

while IFS='|' read -r backend variant suite says; do
	[ -n "$backend" ] || continue
	bin=build/broken/$suite
	[ "$variant" = release ] || bin=build/$variant/broken/$suite
	what="$variant $suite catches $backend"
	if [ ! -x "$bin" ]; then
		echo "not ok - $what ($bin is not built: make tests)"
		continue
	fi
	log=$tmp/$backend-$variant-$suite.log
	PB_TEST_ONLY=$backend ASAN_OPTIONS=detect_leaks=1 "$bin" >"$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ] && grep -qF -- "$says" "$log"; then
		echo "ok - $what: \"$says\""
	else
		echo "not ok - $what: exit $rc, expected a failure saying \"$says\""
		grep -E '^\[  (FAILED|ERROR) |ERROR' "$log" | head -5
	fi
done <<<"$cases"

# A hang: tests/run.sh's limit stops it and names the test it was in.
if [ -x build/broken/test_geometry ]; then
	out=$(bash -c '
		. tests/lib-run.sh
		logs=$1; passed=0; failed=0; failures=(); limit=3; kill_after=2
		PB_TEST_ONLY=broken-hang run_one broken/test_geometry \
			build/broken/test_geometry >/dev/null
		printf "%s\n" "${failures[@]}"
	' hang "$tmp" 2>/dev/null)
	if grep -qF 'broken/test_geometry: did not finish within 3 s, stopped in test broken-hang/exclusive/geometry_matrix' <<<"$out"; then
		echo "ok - a backend that hangs is stopped at the time limit, named with its test"
	else
		echo "not ok - a backend that hangs is stopped at the time limit, named with its test: $out"
	fi
else
	echo "not ok - build/broken/test_geometry is built (make tests)"
fi
