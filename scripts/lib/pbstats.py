# SPDX-License-Identifier: GPL-2.0-only
#
# pbstats.py - the statistics behind every ratio the tables, figures and
# the paper show (docs/statistics.md): repetitions paired by their index
# (rep k of A with rep k of B: the same round of an interleaved run), the
# exact distribution-free interval for the median of the paired ratios
# (order statistics, binomial coverage; the achieved level is always
# returned, never a level that was not reached), the verdict drawn from
# that interval, and the coefficient of variation (sample stddev / mean,
# as Google Benchmark computes its cv).
#
# Imported by scripts/lib/pbresults.py (paired ratios of a results folder)
# and through it by scripts/tables/*.py and scripts/paper/paper-tables.py;
# tests/harness/test_ratios.py checks it on data with known answers.
# Standard library only, deterministic: no random numbers.

import math
import statistics

LEVEL = 0.95
# A verdict needs at least this coverage: 5 pairs give [min, max] at
# 93.75%; 4 pairs (87.5%) or fewer say "too few pairs".
MIN_VERDICT_LEVEL = 0.9

NUM_FASTER = "num faster"
DEN_FASTER = "den faster"
NOT_SIGNIFICANT = "not significant"
TOO_FEW = "too few pairs"


def paired(a_runs, b_runs, value=None):
    """Pair repetitions by their index. @a_runs and @b_runs are
    {rep: item} dicts or lists of (rep, item); @value(item) returns the
    item's number or None (an errored or empty repetition), default the
    item itself. Only reps present in both, each with a number, are
    kept. Return (pairs, dropped): pairs a list of (rep, a, b) numbers in
    rep order, dropped a list of (rep, reason) for every rep left out."""
    value = value or (lambda x: x)

    def index(runs):
        out, dup = {}, set()
        for rep, item in (runs.items() if isinstance(runs, dict) else runs):
            if rep in out:
                dup.add(rep)
            out[rep] = item
        return out, dup

    a, adup = index(a_runs)
    b, bdup = index(b_runs)
    pairs, dropped = [], []
    for rep in sorted(set(a) | set(b), key=_rep_order):
        if rep in adup or rep in bdup:
            dropped.append((rep, "repeated rep index"))
        elif rep not in a:
            dropped.append((rep, "missing in A"))
        elif rep not in b:
            dropped.append((rep, "missing in B"))
        else:
            va, vb = value(a[rep]), value(b[rep])
            if va is None or vb is None:
                dropped.append((rep, "failed or empty in " +
                                ("A and B" if va is None and vb is None else
                                 "A" if va is None else "B")))
            else:
                pairs.append((rep, va, vb))
    return pairs, dropped


def _rep_order(rep):
    """Sort key for rep indices: numbers in numeric order, then the rest."""
    try:
        return (0, float(rep), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(rep))


def coverage(n, k):
    """Coverage of [x(k), x(n+1-k)] (1-based order statistics of @n
    values) for the median of a continuous distribution:
    1 - 2 P(Binomial(n, 1/2) <= k - 1), exactly."""
    tail = sum(math.comb(n, i) for i in range(k))
    return 1.0 - 2.0 * tail / 2.0 ** n


def median_interval(values, level=LEVEL):
    """The exact distribution-free interval for the median of @values: the
    narrowest symmetric [x(k), x(n+1-k)] whose coverage is >= @level. When
    no k reaches @level (n <= 5 for 95%) it is [min, max] with its actual
    coverage 1 - 2^(1-n). Return (lo, hi, achieved level), or
    (None, None, 0.0) for no values."""
    x = sorted(values)
    n = len(x)
    if n == 0:
        return None, None, 0.0
    k = 1
    while k + 1 <= (n + 1) // 2 and coverage(n, k + 1) >= level:
        k += 1
    return x[k - 1], x[n - k], coverage(n, k)


def verdict(lo, hi, level, lower_is_faster=True):
    """The verdict of a ratio num/den from its interval [@lo, @hi] at
    achieved @level: NUM_FASTER or DEN_FASTER when the interval excludes 1
    (for a time, lower_is_faster: a ratio below 1 means num takes less
    time; for a throughput the other way), NOT_SIGNIFICANT when it holds
    1, TOO_FEW when the level is under MIN_VERDICT_LEVEL."""
    if lo is None or hi is None or level < MIN_VERDICT_LEVEL:
        return TOO_FEW
    if lo <= 1.0 <= hi:
        return NOT_SIGNIFICANT
    below = hi < 1.0
    return NUM_FASTER if below == lower_is_faster else DEN_FASTER


def cv(values):
    """Coefficient of variation: sample stddev (n - 1) / mean, as Google
    Benchmark's cv aggregate; None for fewer than 2 values or a mean of 0."""
    v = list(values)
    if len(v) < 2:
        return None
    m = statistics.fmean(v)
    return statistics.stdev(v) / m if m else None


def median(values):
    """The median of @values, or None when there are none."""
    v = list(values)
    return statistics.median(v) if v else None

