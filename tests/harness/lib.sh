# SPDX-License-Identifier: GPL-2.0-only
#
# lib.sh - sourced by the harness tests (tests/harness/test_*.sh):
#
#   check DESCRIPTION COMMAND...   runs COMMAND (output discarded) and prints
#                                  "ok - DESCRIPTION" if it succeeds, else
#                                  "not ok - DESCRIPTION" (the lines
#                                  tests/run.sh counts)
#   csv FILE COLUMN KEY=VALUE...   prints COLUMN of the CSV rows where
#                                  every KEY=VALUE holds, one per line

unset PB_MACHINE	# the tests choose their machine themselves

check() {
	local d=$1
	shift
	if "$@" >/dev/null 2>&1; then echo "ok - $d"; else echo "not ok - $d"; fi
}

# The value of COLUMN in the CSV rows where every KEY=VALUE holds (python3:
# the error column holds commas inside quotes).
csv() {	# file column key=value...
	python3 - "$@" <<'EOF'
import csv, sys
path, col, conds = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
for row in csv.DictReader(open(path)):
    if all(row.get(k) == v for k, v in conds):
        print(row[col])
EOF
}
