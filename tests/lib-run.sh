# SPDX-License-Identifier: GPL-2.0-only
#
# lib-run.sh - sourced by tests/run.sh (and by the test of its summary,
# tests/harness/test_runsummary.sh): runs one test program and counts what
# it reported.
#
#   run_one LABEL COMMAND...   runs COMMAND with its output in
#                              $logs/LABEL.{out,err}, adds its passed and
#                              failed checks to $passed and $failed, prints
#                              one line for it, and appends a line saying
#                              what failed to the array $failures
#
# cmocka programs report "[       OK ] name" or "[  FAILED  ] name" per
# test (a failed one is listed twice: when it fails and in the closing list,
# so failed names are counted once each); shell tests print "ok - ..." or
# "not ok - ...". A program that exits non-zero without reporting a failed
# check (a crash, a sanitizer report) counts as one failed check.

# The failed checks' names, each once, in the order they were reported.
failed_names() {	# log prefix
	cat "$1.out" "$1.err" |
		sed -n -e 's/^not ok - //p' -e 's/^\[  FAILED  \] \(.*\)/\1/p' |
		grep -v 'test(s)' | awk '!seen[$0]++'
}

# One line for the closing list: what failed, not just the exit status.
failure_summary() {	# label, log prefix, exit status, passed, failed, names
	local label=$1 log=$2 rc=$3 ok=$4 nok=$5 names=$6 shown more why
	if [ -z "$names" ]; then
		why="exited with status $rc"
		[ "$rc" -gt 128 ] && why="$why (signal $((rc - 128)))"
		printf '%s: %s, no failed check reported (a crash or a sanitizer report?); logs %s.out %s.err' \
			"$label" "$why" "$log" "$log"
		return
	fi
	shown=$(printf '%s\n' "$names" | head -n 5 | awk '{ printf "%s%s", (NR > 1 ? "; " : ""), $0 }')
	more=$(($(printf '%s\n' "$names" | wc -l) - 5))
	[ "$more" -gt 0 ] && shown="$shown; and $more more"
	printf '%s: %d of %d checks failed: %s (exit status %d; logs %s.out %s.err)' \
		"$label" "$nok" "$((ok + nok))" "$shown" "$rc" "$log" "$log"
}

run_one() {	# label, command...
	local label=$1 log ok nok rc names
	shift
	log="$logs/${label//\//_}"
	# Separate files: cmocka writes to both streams, and one shared file
	# could interleave their lines.
	"$@" >"$log.out" 2>"$log.err"
	rc=$?
	ok=$(cat "$log.out" "$log.err" | grep -cE '^\[       OK \]|^ok - ')
	names=$(failed_names "$log")
	nok=$(cat "$log.out" "$log.err" | grep -c '^not ok - ')
	nok=$((nok + $(cat "$log.out" "$log.err" | grep '^\[  FAILED  \] ' |
		grep -v 'test(s)' | awk '!seen[$0]++' | wc -l)))
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		nok=1
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$nok" -ne 0 ]; then
		failures+=("$(failure_summary "$label" "$log" "$rc" "$ok" "$nok" "$names")")
		printf '%-40s %4d passed, %d FAILED\n' "$label" "$ok" "$nok"
		cat "$log.out" "$log.err" | grep -E '^\[  FAILED  \] |^not ok - |ERROR|error:|Sanitizer|WARNING: ThreadSanitizer' | grep -v 'test(s)' | head -20 | sed 's/^/    /'
	else
		printf '%-40s %4d passed\n' "$label" "$ok"
	fi
}
