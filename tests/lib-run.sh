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
# $limit (seconds, 0 or unset: none) bounds each program: one that runs
# past it is stopped (TERM, then KILL 10 s later, with every process it
# started) and counts as one failed check, named with the test it was in:
# a hang fails the run instead of holding it until CI's own limit.
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

# The test a stopped program was in: cmocka's last "[ RUN      ]" without
# a verdict, or the shell test's last check.
last_test() {	# log prefix
	local run
	run=$(cat "$1.out" "$1.err" | awk '
		/^\[ RUN      \] / { name = substr($0, 14); open = 1; next }
		/^\[ *(OK|FAILED|SKIPPED) *\] / { if (substr($0, 14) == name) open = 0 }
		END { if (open) print name }')
	if [ -n "$run" ]; then
		printf 'in test %s' "$run"
		return
	fi
	run=$(cat "$1.out" "$1.err" | sed -n -e 's/^ok - //p' -e 's/^not ok - //p' | tail -n 1)
	if [ -n "$run" ]; then
		printf 'after check "%s"' "$run"
	else
		printf 'before its first check'
	fi
}

# One line for the closing list: what failed, not just the exit status.
failure_summary() {	# label, log prefix, exit status, passed, failed, names
	local label=$1 log=$2 rc=$3 ok=$4 nok=$5 names=$6 shown more why
	if [ "$rc" = timeout ]; then
		printf '%s: did not finish within %s s, stopped %s; logs %s.out %s.err' \
			"$label" "$limit" "$(last_test "$log")" "$log" "$log"
		return
	fi
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
	local label=$1 log ok nok rc names start
	shift
	log="$logs/${label//\//_}"
	# Separate files: cmocka writes to both streams, and one shared file
	# could interleave their lines.
	start=$SECONDS
	if [ "${limit:-0}" -gt 0 ]; then
		# In a subshell that stays: the KILL reaches timeout itself, and
		# the shell's "Killed" notice goes to /dev/null, not the summary.
		(
			timeout --kill-after="${kill_after:-10}" "$limit" "$@" \
				>"$log.out" 2>"$log.err"
			rc=$?
			exit $rc
		) 2>/dev/null
		rc=$?
		# 124: stopped by TERM; 137: KILLed after ignoring it (or
		# killed by someone else: then it did not use up its time).
		if { [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; } &&
		   [ $((SECONDS - start)) -ge "$limit" ]; then
			rc=timeout
		fi
	else
		"$@" >"$log.out" 2>"$log.err"
		rc=$?
	fi
	ok=$(cat "$log.out" "$log.err" | grep -cE '^\[       OK \]|^ok - ')
	names=$(failed_names "$log")
	nok=$(cat "$log.out" "$log.err" | grep -c '^not ok - ')
	nok=$((nok + $(cat "$log.out" "$log.err" | grep '^\[  FAILED  \] ' |
		grep -v 'test(s)' | awk '!seen[$0]++' | wc -l)))
	if [ "$rc" = timeout ]; then
		nok=$((nok + 1))
	elif [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		nok=1
	fi
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$nok" -ne 0 ]; then
		failures+=("$(failure_summary "$label" "$log" "$rc" "$ok" "$nok" "$names")")
		[ "$rc" = timeout ] &&
			echo "not ok - did not finish within $limit s" >>"$log.err"
		printf '%-40s %4d passed, %d FAILED (%d s)\n' "$label" "$ok" "$nok" \
			$((SECONDS - start))
		cat "$log.out" "$log.err" | grep -E '^\[  FAILED  \] |^not ok - |ERROR|error:|Sanitizer|WARNING: ThreadSanitizer' | grep -v 'test(s)' | head -20 | sed 's/^/    /'
	else
		printf '%-40s %4d passed (%d s)\n' "$label" "$ok" $((SECONDS - start))
	fi
}
