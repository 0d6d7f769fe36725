# SPDX-License-Identifier: GPL-2.0-only
#
# test_mwu.py - scripts/lib/mwu.py against scipy: the two-sided
# Mann-Whitney U test's statistic and p-value on fixed data sets (small
# exact without ties, ties, both samples above 8, one sample of at most 8
# beside a large one, identical samples, complete separation) must equal
# scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='auto'),
# and the smallest attainable p and the Hodges-Lehmann interval their
# textbook values. Run by tests/harness/test_compare.sh with Debian's
# /usr/bin/python3 (scipy is Debian's python3-scipy, not in other pythons).
#
# Prints "ok - ..." / "not ok - ..." per check; exit 1 if any failed.

import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "scripts", "lib"))
import mwu  # noqa: E402

failed = 0


def check(desc, ok):
    """Print the check's line; count a failure."""
    global failed
    print(("ok - " if ok else "not ok - ") + desc)
    failed += not ok


try:
    from scipy.stats import mannwhitneyu
except ImportError as e:
    check(f"scipy importable by {sys.executable} ({e}): install the Debian package "
          "python3-scipy (scripts/setup/install-deps.sh)", False)
    sys.exit(1)

CASES = (
    ("small exact, no ties (3 vs 4)", [1.1, 2.3, 0.7], [3.2, 2.9, 4.4, 1.8]),
    ("small exact, no ties, overlapping (5 vs 5)",
     [10.2, 11.5, 9.8, 12.1, 10.9], [10.5, 12.4, 11.9, 13.0, 11.1]),
    ("small with ties -> asymptotic (4 vs 5)", [1, 2, 2, 3], [2, 3, 3, 4, 5]),
    ("one sample of 8 beside 20, no ties -> exact", [0.5 + i for i in range(8)],
     [i * 0.77 + 0.1 for i in range(20)]),
    ("both above 8 -> asymptotic (9 vs 12)", [i * 1.3 for i in range(9)],
     [i * 1.1 + 2.05 for i in range(12)]),
    ("both above 8 with ties (10 vs 10)", [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
     [2, 2, 3, 3, 4, 4, 5, 5, 6, 6]),
    ("identical samples (5 vs 5)", [1.0, 2.0, 3.0, 4.0, 5.0], [1.0, 2.0, 3.0, 4.0, 5.0]),
    ("every value equal (3 vs 3)", [7.0, 7.0, 7.0], [7.0, 7.0, 7.0]),
    ("complete separation, exact (5 vs 5)", [1, 2, 3, 4, 5], [6, 7, 8, 9, 10]),
    ("complete separation, reversed (6 vs 4)", [16, 17, 18, 19, 20, 21], [1, 2, 3, 4]),
    ("complete separation, asymptotic (10 vs 12)", list(range(10)), list(range(20, 32))),
    ("one value each (1 vs 1)", [1.0], [2.0]),
)

for desc, x, y in CASES:
    ref = mannwhitneyu(x, y, alternative="two-sided", method="auto")
    u, p, method = mwu.mannwhitneyu(x, y)
    ok = u == float(ref.statistic) and abs(p - float(ref.pvalue)) <= 1e-12 * max(1, p)
    check(f"{desc}: U {u:g}, p {p:.12g} ({method}) = scipy's U {float(ref.statistic):g}, "
          f"p {float(ref.pvalue):.12g}", ok)

check("3 vs 3 repetitions: the smallest two-sided p is 0.1",
      abs(mwu.min_pvalue(3, 3) - 0.1) < 1e-15)
check("5 vs 5: the smallest two-sided p is 2/252",
      abs(mwu.min_pvalue(5, 5) - 2 / 252) < 1e-15)
check("the U distribution of 4 vs 6 sums to C(10, 4) and is symmetric",
      sum(mwu.u_counts(4, 6)) == 210 and mwu.u_counts(4, 6) == mwu.u_counts(4, 6)[::-1])
est, lo, hi, level = mwu.hodges_lehmann([1, 2, 3, 4, 5], [3, 4, 5, 6, 7], 0.05)
check(f"Hodges-Lehmann, 5 vs 5 shifted by 2: estimate {est:g}, the 3rd smallest and "
      f"largest difference [{lo:g}, {hi:g}] at 96.83% ({level:.4f})",
      est == 2 and (lo, hi) == (-1, 5) and abs(level - (1 - 8 / 252)) < 1e-12)
est, lo, hi, level = mwu.hodges_lehmann([1, 2, 3], [4, 5, 6], 0.05)
check(f"Hodges-Lehmann, 3 vs 3: no 95% interval (widest {level:.3f} = 0.9)",
      lo is None and hi is None and abs(level - 0.9) < 1e-12)
sys.exit(1 if failed else 0)
