#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
#
# fig-oversub.sh RESULTS_DIR - the figure "the protection cost against oversubscription (make run-oversub)":
# fig-run.sh oversub (which says what it draws and writes).
exec "$(dirname "$0")/fig-run.sh" oversub "$@"
