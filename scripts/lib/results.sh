# SPDX-License-Identifier: GPL-2.0-only
#
# results.sh - sourced by the figure, table and paper shell scripts: checks that the
# one argument is a poolbench results folder holding the files (and columns)
# a script reads, with a clear message and exit 2 otherwise.
#
#   pb_results_dir PROG "$@" [FILE...]   sets $dir; FILE defaults to results.csv
#                                        (results.csv.xz stands in for it)
#   pb_results_column PROG COLUMN WHY    refuses a results.csv without COLUMN
#   pb_machines DIR                      sets $machines: a machine comparison's
#                                        machines, one a line (none for a run
#                                        of one); true when there are several
#
# Sourcing it also sets the locale to C.UTF-8 (every Debian 12 system has
# it, minbase included): the figures and tables must not depend on the
# caller's locale. Without one (no LANG: minimal systems, containers,
# `su -`, cron) gnuplot cannot convert the figures' UTF-8 labels and warns;
# under another one it could sort or print numbers differently.

export LC_ALL=C.UTF-8
unset LANGUAGE

# pb_fontconfig_cache DIR - gnuplot's cairo terminals go through
# fontconfig, which rebuilds its cache when the system one is stale (a font
# package installed after the last fc-cache) and, with no writable cache
# directory (no HOME: env -i, cron, some containers), prints "Fontconfig
# error: No writable cache directories" on every call. Without a HOME to
# use, DIR (a scratch folder the caller removes) becomes its cache.
pb_fontconfig_cache() {
	if [ -z "${XDG_CACHE_HOME:-}" ] && { [ -z "${HOME:-}" ] || [ ! -w "$HOME" ]; }; then
		mkdir -p "$1"
		export XDG_CACHE_HOME=$1
	fi
}

pb_results_dir() {
	local prog=$1
	shift
	if [ $# -lt 1 ] || [ -z "${1:-}" ] || { [ $# -gt 1 ] && [ "${2:-}" != -- ]; }; then
		echo "usage: $prog RESULTS_DIR" >&2
		exit 2
	fi
	dir=$1
	shift
	[ "${1:-}" = -- ] && shift
	local f
	for f in "${@:-results.csv}"; do
		# The committed reference run keeps results.csv xz-compressed.
		if [ "$f" = results.csv ] && [ ! -e "$dir/$f" ] && [ -s "$dir/$f.xz" ]; then
			continue
		fi
		if [ ! -s "$dir/$f" ]; then
			echo "$prog: $dir/$f: missing or empty (not a poolbench results folder?)" >&2
			exit 2
		fi
	done
}

pb_machines() {
	machines=$(python3 "$(dirname "${BASH_SOURCE[0]}")/../figures/plotdata.py" machines "$1") ||
		exit 1
	[ "$(printf '%s' "$machines" | grep -c .)" -gt 1 ]
}

pb_results_column() {
	if ! head -n1 "$dir/results.csv" | tr ',' '\n' | grep -qx "$2"; then
		echo "$1: $dir/results.csv has no $2 column ($3)" >&2
		exit 2
	fi
}
