#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# run.sh - run every test program of every build variant, the harness
# tests and a short run of the fuzz target, then print one closing line
# "N passed, N failed".
#
#   tests/run.sh                 everything (make test)
#   tests/run.sh --quick [DIR]   the unit and conformance programs of the
#                                build in DIR only (default build, the
#                                release build; make check)
#
# Each program's checks are counted by run_one (tests/lib-run.sh); the
# closing list names each failed program with the checks that failed.
# Full output: build/test-logs/.
#
# Every program has a time limit, far above what it needs on a loaded
# 2-core machine: PB_TEST_LIMIT seconds (default 600; 0: none) for the
# plain build and the harness tests, three times that under ASan and TSan.
# A program past it is stopped and counted as a failure naming the test it
# was in.
set -u
cd "$(dirname "$0")/.."
# A machine chosen in the caller's environment (make ... MACHINE=) would
# change what the tests' table scripts read.
unset PB_MACHINE

quick=0
quick_dir=build
case "$#:${1-}" in
0:) ;;
[12]:--quick) quick=1; quick_dir=${2:-build} ;;
*) echo "usage: tests/run.sh [--quick [DIR]]" >&2; exit 2 ;;
esac

base_limit=${PB_TEST_LIMIT:-600}
case $base_limit in
''|*[!0-9]*)
	echo "run.sh: PB_TEST_LIMIT='$base_limit' is not a number of seconds" >&2
	exit 2 ;;
esac

logs=build/test-logs
rm -rf "$logs"
mkdir -p "$logs"
passed=0
failed=0
failures=()

# The suppression files cover the peers' libraries only (their comments).
supp=$(pwd)/tests/sanitizers
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$supp/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp}

# TSan needs a memory layout that high ASLR entropy can break; run its
# programs without address randomisation when setarch is there.
tsan_prefix=()
if command -v setarch >/dev/null 2>&1 && setarch "$(uname -m)" -R true 2>/dev/null; then
	tsan_prefix=(setarch "$(uname -m)" -R)
fi

. tests/lib-run.sh

# The fast part: programs named by their sources, as stress programs sit
# next to them in build/tests.
quick_tests() {
	local src
	limit=$base_limit
	for src in tests/unit/test_*.c tests/conformance/test_*.c; do
		run_one "$quick_dir/tests/$(basename "$src" .c)" "$quick_dir/tests/$(basename "$src" .c)"
	done
}

all_tests() {
	local variant dir t prefix
	for variant in release asan tsan; do
		limit=$base_limit
		[ "$variant" = release ] || limit=$((3 * base_limit))
		dir=build/tests
		[ "$variant" = release ] || dir=build/$variant/tests
		prefix=()
		[ "$variant" = tsan ] && prefix=("${tsan_prefix[@]}")
		for t in "$dir"/test_*; do
			[ -x "$t" ] || continue
			run_one "$variant/$(basename "$t")" "${prefix[@]}" "$t"
		done
	done

	limit=$base_limit
	for t in tests/harness/test_*.sh; do
		run_one "harness/$(basename "$t" .sh)" bash "$t"
	done
	# A real one-node Slurm cluster (root only; else it says why it skipped).
	for t in tests/cluster/test_*.sh; do
		run_one "cluster/$(basename "$t" .sh)" bash "$t"
	done

	# The percpu fuzz target, a bounded deterministic run (make fuzz-build).
	run_one "fuzz/fuzz_pcpu" bash tests/fuzz/run-pcpu.sh --check
}

if [ "$quick" -eq 1 ]; then
	quick_tests
else
	all_tests
fi

if [ ${#failures[@]} -gt 0 ]; then
	echo
	echo "failed:"
	printf '  %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
