#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_readme_backend.sh - the backend template of the README's "Adding a
# backend" section, compiled as it stands there (tests/readme-template.sh,
# with the project's warnings as errors) and linked into the suites that
# run every registered backend (build/readme/), passes them all, plain,
# under ASan+UBSan and under TSan, and runs through `poolbench run`. A
# README edit that breaks the template fails here.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

tsan_prefix=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
	tsan_prefix=(setarch "$(uname -m)" -R)
fi

name=$(sed -n 's/^	\.name = "\(.*\)",$/\1/p' build/gen/readme/mypool.c 2>/dev/null | head -n 1)
check "the template was extracted from the README and names its backend" \
	test -n "$name"

for v in release asan tsan; do
	dir=build/readme
	[ "$v" = release ] || dir=build/$v/readme
	prefix=()
	[ "$v" = tsan ] && prefix=("${tsan_prefix[@]}")
	for suite in test_conformance test_geometry test_model test_stress; do
		if [ ! -x "$dir/$suite" ]; then
			echo "not ok - $v: $dir/$suite is built (make tests)"
			continue
		fi
		PB_TEST_ONLY=$name "${prefix[@]}" "$dir/$suite" >"$tmp/$v-$suite.log" 2>&1
		rc=$?
		ran=$(grep -c '^\[       OK \]' "$tmp/$v-$suite.log")
		if [ "$rc" -eq 0 ] && [ "$ran" -gt 0 ]; then
			echo "ok - $v: the README template passes $suite ($ran tests)"
		else
			echo "not ok - $v: the README template passes $suite (exit $rc, $ran passed)"
			grep -E '^\[  (FAILED|ERROR) |ERROR|Sanitizer' "$tmp/$v-$suite.log" | head -10
		fi
	done
done

pb=build/readme/poolbench
check "the template is listed by poolbench list" \
	sh -c "'$pb' list 2>/dev/null | grep -q '$name'"
"$pb" run --backends "$name" --threads 1,2 --mode exclusive,shared \
	--param n=32 --param million.count=256 --reps 1 --min-time 0.005 \
	--out "$tmp/run" >"$tmp/run.log" 2>&1
rc=$?
check "poolbench run of every workload on the template exits 0" test "$rc" -eq 0
[ "$rc" -eq 0 ] || tail -20 "$tmp/run.log"
check "... and records its results" \
	test -n "$(csv "$tmp/run/results.csv" backend backend="$name")"
