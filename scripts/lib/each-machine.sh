#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# each-machine.sh RESULTS_DIR COMMAND [ARG...] - run COMMAND once per
# machine of a machine comparison (results.csv's machine column holds
# several names: poolbench run --executor slurm --partitions a,b), with
# PB_MACHINE naming it, so that a table script reads one machine's rows
# and writes under RESULTS_DIR/machines/<name>/ (scripts/lib/pbresults.py);
# for a run of one machine, or with PB_MACHINE already set, once as it is.
# Called by make run-all and run-quick for their tables.
#
# Exit status: the first failing COMMAND's, else 0; 1 when results.csv
# cannot be read; 2 usage.
set -euo pipefail
if [ $# -lt 2 ]; then
	echo "usage: $(basename "$0") RESULTS_DIR COMMAND [ARG...]" >&2
	exit 2
fi
dir=$1
shift
. "$(dirname "$0")/results.sh"
if [ -n "${PB_MACHINE:-}" ] || ! pb_machines "$dir"; then
	exec "$@"
fi
for m in $machines; do
	PB_MACHINE=$m "$@"
done
