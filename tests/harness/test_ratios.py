# SPDX-License-Identifier: GPL-2.0-only
#
# test_ratios.py - the statistics of paired ratios on data with known
# answers (run by tests/harness/test_ratios.sh with python3, standard
# library only): scripts/lib/pbstats.py's exact interval for the median
# (order statistics and coverage at n = 1, 5, 6, 10, 20), the pairing by
# rep (a missing or failed rep dropped from both sides), the verdict, the
# cv; and pbresults.paired_ratio on synthetic run rows where A_k = 2 x B_k
# exactly while B varies 10x across reps: the paired ratio is exactly 2
# with interval [2, 2], while the ratio of the medians is not.
#
# Prints "ok - ..." / "not ok - ..." per check (counted by tests/run.sh).

import math
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "scripts", "lib"))
import pbresults  # noqa: E402
import pbstats  # noqa: E402


def check(desc, cond):
    print(("ok - " if cond else "not ok - ") + desc)


def binom_cov(n, k):
    """Coverage of [x(k), x(n+1-k)], written out independently."""
    return 1 - 2 * sum(math.comb(n, i) for i in range(k)) / 2 ** n


# The interval: values 1..n shuffled, so x(i) = i.
def shuffled(n):
    return [(7 * i) % n + 1 for i in range(n)] if n % 7 else list(range(n, 0, -1))


for n, k, level in ((5, 1, 0.9375), (6, 1, 0.96875), (10, 2, 1 - 22 / 1024),
                    (20, 6, binom_cov(20, 6))):
    lo, hi, lv = pbstats.median_interval(shuffled(n))
    check(f"median_interval n={n}: [x({k}), x({n + 1 - k})] at {100 * level:.4g}%",
          (lo, hi) == (k, n + 1 - k) and abs(lv - level) < 1e-12)
check("... n=20: k=6 reaches 95% (95.86%), k=7 would not (88.47%)",
      binom_cov(20, 6) >= 0.95 > binom_cov(20, 7))
check("... n=5: [min, max] at 93.75%, never claimed as 95%",
      pbstats.median_interval([3.0, 1.0, 2.0, 5.0, 4.0]) == (1.0, 5.0, 0.9375))
check("... n=1: the one value at 0% coverage",
      pbstats.median_interval([4.2]) == (4.2, 4.2, 0.0))
check("... no values: (None, None, 0.0)", pbstats.median_interval([]) == (None, None, 0.0))
check("... a level of 0.9 at n=10 gives [x(2), x(9)] (x(3), x(8) covers only 89.06%)",
      pbstats.median_interval(list(range(1, 11)), 0.9)[:2] == (2, 9))

# The pairing.
pairs, dropped = pbstats.paired({0: 1.0, 1: 2.0, 2: None, 4: 5.0}, [(0, 3.0), (2, 4.0), (3, 1.0),
                                                                    (4, None)])
check("paired: only reps in both with numbers", pairs == [(0, 1.0, 3.0)])
check("... and says why each other rep was dropped",
      dropped == [(1, "missing in B"), (2, "failed or empty in A"), (3, "missing in A"),
                  (4, "failed or empty in B")])
check("... a rep index repeated on one side is dropped, not guessed",
      pbstats.paired([(0, 1.0), (0, 2.0), (1, 1.0)], {0: 1.0, 1: 2.0}) ==
      ([(1, 1.0, 2.0)], [(0, "repeated rep index")]))
check("... reps sort as numbers ('10' after '9')",
      [p[0] for p in pbstats.paired({"9": 1, "10": 1}, {"9": 1, "10": 1})[0]] == ["9", "10"])

# The verdict.
V = pbstats.verdict
check("verdict: a time ratio whose interval is below 1: the numerator is faster",
      V(0.8, 0.9, 0.9375) == pbstats.NUM_FASTER)
check("... above 1: the denominator", V(1.1, 1.3, 0.9375) == pbstats.DEN_FASTER)
check("... holding 1: not significant",
      V(0.9, 1.1, 0.96875) == V(1.0, 1.2, 0.96875) == pbstats.NOT_SIGNIFICANT)
check("... a rate (ops_per_sec) above 1: the numerator",
      V(1.1, 1.3, 0.9375, lower_is_faster=False) == pbstats.NUM_FASTER)
check("... 4 pairs (87.5%): too few pairs for a verdict", V(2.0, 3.0, 0.875) == pbstats.TOO_FEW)

# The cv: sample stddev / mean, as Google Benchmark.
check("cv([1, 2, 3]) = 1 / 2 (sample stddev)", abs(pbstats.cv([1, 2, 3]) - 0.5) < 1e-12)
check("... None for one value", pbstats.cv([5.0]) is None)


# Paired ratios of synthetic run rows: B varies 10x, A_k = 2 x B_k; A's
# rep 5 failed and its rep 6 is missing.
def row(backend, rep, ns, error=""):
    return {"backend": backend, "workload": "fastpath-reuse", "mode": "exclusive",
            "threads": "1", "obj_size": "64", "options": "", "statistic": "run",
            "rep": str(rep), "ns_per_op": "" if error else repr(ns), "error": error,
            "rep_start_s": str(rep * 0.5)}


B = [10.0, 100.0, 20.0, 50.0, 30.0, 60.0, 70.0]
rows = [row("slow", k, 2 * b, "injected" if k == 5 else "") for k, b in enumerate(B[:6])]
rows += [row("fast", k, b) for k, b in enumerate(B)]
r = pbresults.paired_ratios(rows, ({"backend": "slow"}, {}), ({"backend": "fast"}, {}),
                            "ns_per_op")
check("paired_ratio: A_k = 2 x B_k while B varies 10x: the ratio is exactly 2",
      r.ratio == 2.0 and r.ratios == [2.0] * 5)
check("... with the interval [2, 2] at 93.75% (5 pairs)",
      (r.lo, r.hi, r.level, r.pairs) == (2.0, 2.0, 0.9375, 5))
check("... A's failed rep 5 and missing rep 6 are dropped from both sides",
      r.dropped == [("5", "failed or empty in A"), ("6", "missing in A")])
med = pbstats.median
check(f"... while the ratio of the medians is not 2 ({r.ratio_of_medians:.3g})",
      abs(r.ratio_of_medians - med([20, 200, 40, 100, 60]) / med(B)) < 1e-12
      and abs(r.ratio_of_medians - 2) > 0.1)
check("... verdict: the denominator is faster", r.verdict == pbstats.DEN_FASTER)
check("... printed as `2.00 [2.00, 2.00]`", r.text(0.9375) == "2.00 [2.00, 2.00]")
r2 = pbresults.paired_ratios(rows, ({"backend": "nowhere"}, {}), ({"backend": "fast"}, {}),
                             "ns_per_op")
check("... a side not in the run: no number, the reason",
      r2.ratio is None and r2.text() == "--" and "not in the run" in r2.reason)
r3 = pbresults.paired_ratios(rows, ({"workload": "fastpath-reuse"}, {}),
                             ({"backend": "fast"}, {}), "ns_per_op")
check("... a selector matching two points: no number", r3.ratio is None and
      "2 points match" in r3.reason)
noisy = [row("a", k, v) for k, v in enumerate([10, 11, 10.5, 9.5, 10.2])] + \
        [row("b", k, v) for k, v in enumerate([10.1, 10.9, 10.6, 9.4, 10.1])]
r4 = pbresults.paired_ratios(noisy, ({"backend": "a"}, {}), ({"backend": "b"}, {}), "ns_per_op")
check("... equal sides: not significant, marked n.s.",
      r4.verdict == pbstats.NOT_SIGNIFICANT and r4.text(0.9375).endswith(" n.s."))
