#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fig-nsweep.sh RESULTS_DIR - the figure "ring-cleanup: ns per alloc+free pair against N (make run-qmempool)":
# fig-run.sh nsweep (which says what it draws and writes).
exec "$(dirname "$0")/fig-run.sh" nsweep "$@"
