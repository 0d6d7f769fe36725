# SPDX-License-Identifier: GPL-2.0-only
#
# lib.sh - sourced by the harness tests (tests/harness/test_*.sh):
#
#   check DESCRIPTION COMMAND...   runs COMMAND (output discarded) and prints
#                                  "ok - DESCRIPTION" if it succeeds, else
#                                  "not ok - DESCRIPTION" (the lines
#                                  tests/run.sh counts)

check() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok - $d"; else echo "not ok - $d"; fi
}
