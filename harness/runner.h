/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * runner.h - `poolbench run`: plan, measure, write a results folder.
 */
#ifndef PB_HARNESS_RUNNER_H
#define PB_HARNESS_RUNNER_H

#include "harness/cli.h"

/*
 * pb_run_main() - run what @o asks; @argc/@argv are recorded in meta.json.
 * Return: the exit status (0 ok, 1 some benchmark failed, 2 bad input).
 */
int pb_run_main(const struct pb_run_opts *o, int argc, char **argv);

#endif /* PB_HARNESS_RUNNER_H */
