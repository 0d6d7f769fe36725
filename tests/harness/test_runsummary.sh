#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# test_runsummary.sh - tests/run.sh's accounting (tests/lib-run.sh), on
# stand-in test programs: a shell test that exits 0 with failed checks is
# counted as failed and named with those checks in the closing list; a
# cmocka failure, listed twice by cmocka, counts once; a program killed by
# a signal without reporting a failure counts as one failed check and says
# so; a program past its time limit is stopped and named with the test it
# was in; a clean program adds no failure.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

. tests/harness/lib.sh

# A separate shell: run_one's counters and list are its own.
summary() {	# program text -> "passed failed" then the failure lines
	bash -c '
		. tests/lib-run.sh
		logs=$1; passed=0; failed=0; failures=(); limit=${3:-0}; kill_after=1
		run_one fake/prog bash -c "$2" >/dev/null
		echo "$passed $failed"
		printf "%s\n" "${failures[@]}"
	' summary "$tmp" "$1" "${2:-0}" 2>/dev/null
}

out=$(summary 'echo "ok - a"; echo "not ok - b works"; echo "ok - c"; echo "not ok - d works"; exit 0')
check "a shell test that exits 0 with 2 failed checks counts 2 passed, 2 failed" \
	test "$(head -n1 <<<"$out")" = "2 2"
check "... and the closing list names its failed checks, not only its exit status" \
	grep -qF 'fake/prog: 2 of 4 checks failed: b works; d works (exit status 0' <<<"$out"

out=$(summary 'for i in 1 2 3 4 5 6 7; do echo "not ok - check $i"; done')
check "past five failed checks the list says how many more" \
	grep -qF 'check 5; and 2 more' <<<"$out"

out=$(summary 'printf "[       OK ] t_one\n[  FAILED  ] t_two\n[  FAILED  ] 1 test(s), listed below:\n[  FAILED  ] t_two\n"; exit 1')
check "a cmocka failure, listed twice by cmocka, counts once" \
	test "$(head -n1 <<<"$out")" = "1 1"
check "... and is named in the closing list" \
	grep -qF 'fake/prog: 1 of 2 checks failed: t_two (exit status 1' <<<"$out"

out=$(summary 'echo "ok - a"; kill -SEGV $$')
check "a program killed by a signal without a failed check counts one failure" \
	test "$(head -n1 <<<"$out")" = "1 1"
check "... and the closing list gives its signal" \
	grep -qF 'fake/prog: exited with status 139 (signal 11), no failed check reported' <<<"$out"

out=$(summary 'echo "ok - a"; echo "ok - b"')
check "a clean program adds 2 passed and no failure line" \
	test "$out" = "2 0"

out=$(summary 'printf "[ RUN      ] t_one\n[       OK ] t_one\n[ RUN      ] slow/case:a=1;b=2\n"; sleep 60' 1)
check "a cmocka program past its time limit is stopped and counts one failure" \
	test "$(head -n1 <<<"$out")" = "1 1"
check "... named with the test it was in" \
	grep -qF 'fake/prog: did not finish within 1 s, stopped in test slow/case:a=1;b=2;' <<<"$out"

out=$(summary 'echo "ok - first"; echo "ok - second"; trap "" TERM; while :; do sleep 1; done' 1)
check "a shell test that ignores TERM past its limit is killed, named after its last check" \
	grep -qF 'fake/prog: did not finish within 1 s, stopped after check "second"' <<<"$out"
