# SPDX-License-Identifier: GPL-2.0-only
#
# mwu.py - the Mann-Whitney U test and the Hodges-Lehmann interval of a
# shift, standard library only (Debian 12's python3). Imported by
# scripts/compare/compare.py (A/B comparison of two stored runs); checked
# against scipy by tests/harness/test_mwu.py.
#
#   mannwhitneyu(x, y)   the two-sided test exactly as Debian 12's scipy 1.10
#                        computes scipy.stats.mannwhitneyu(x, y,
#                        alternative='two-sided', method='auto'):
#                        'auto' takes the exact null distribution of U unless
#                        both samples have more than 8 values or the values
#                        have a tie; otherwise the normal approximation with
#                        the tie correction and the continuity correction.
#                        Returns (U of x, p, method).
#   min_pvalue(m, n)     the smallest two-sided p that samples of m and n
#                        values without ties can give (complete separation):
#                        above alpha, no data of that size can be significant.
#   hodges_lehmann(x, y, alpha)
#                        the Hodges-Lehmann estimate of the shift y - x (the
#                        median of the m x n differences y_j - x_i) and its
#                        distribution-free (Moses) confidence interval: the
#                        k-th smallest and k-th largest difference, k the
#                        largest with P(U <= k - 1) <= alpha / 2 under the
#                        exact null distribution of U, so the achieved level
#                        1 - 2 P(U <= k - 1) is at least 1 - alpha (exact
#                        for continuous data; ties make it approximate).
#
# The import idiom is pbresults.py's:
#   sys.dont_write_bytecode = True
#   sys.path.insert(0, <scripts/lib>)
#   import mwu

import functools
import math
import statistics

# scipy 1.10's _mwu_choose_method: exact only when a sample has at most
# this many values (and there is no tie).
EXACT_MAX = 8
# hodges_lehmann() counts the exact distribution of U while
# min(m, n) * m * n stays under this; past it, the normal approximation.
EXACT_WORK = 4_000_000


def rankdata(values):
    """Return the ranks of @values, 1 for the smallest, ties given the mean
    of the ranks they span (scipy.stats.rankdata's 'average')."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return ranks


@functools.lru_cache(maxsize=64)
def u_counts(m, n):
    """Return c, a tuple of m*n + 1 integers: c[k] is how many of the
    C(m+n, m) orderings of m x-values and n y-values (no ties) give U = k,
    U counting the pairs with the x-value above the y-value. These are the
    coefficients of the Gaussian binomial [m+n choose m]_q, built as
    prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i) on power series cut at q^(mn)."""
    if m > n:
        m, n = n, m
    top = m * n
    c = [1] + [0] * top
    for i in range(1, m + 1):
        for k in range(top, n + i - 1, -1):  # times (1 - q^(n+i))
            c[k] -= c[k - n - i]
        for k in range(i, top + 1):          # divided by (1 - q^i)
            c[k] += c[k - i]
    return tuple(c)


def exact_cdf(k, m, n):
    """P(U <= k) for samples of m and n values without ties (exact)."""
    if k < 0:
        return 0.0
    c = u_counts(m, n)
    k = min(int(k), m * n)
    return sum(c[:k + 1]) / math.comb(m + n, m)


def normal_sf(z):
    """The standard normal survival function, 1 - Phi(z)."""
    return 0.5 * math.erfc(z / math.sqrt(2))


def has_ties(values):
    """Whether two of @values are equal."""
    return len(set(values)) != len(values)


def choose_method(m, n, values):
    """scipy 1.10's 'auto': 'asymptotic' when both samples have more than
    EXACT_MAX values or @values (both samples) have a tie, else 'exact'."""
    if m > EXACT_MAX and n > EXACT_MAX:
        return "asymptotic"
    return "asymptotic" if has_ties(values) else "exact"


def mannwhitneyu(x, y):
    """The two-sided Mann-Whitney U test of samples @x and @y as scipy 1.10's
    mannwhitneyu(x, y, alternative='two-sided', method='auto'). Return
    (U1, p, method): U1 the statistic of x (the pairs with x above y, ties
    counted 1/2; scipy's `statistic`), p the two-sided p-value, method
    'exact' or 'asymptotic'. Raises ValueError for an empty sample or a NaN."""
    x, y = [float(v) for v in x], [float(v) for v in y]
    if not x or not y:
        raise ValueError("x and y must not be empty")
    if any(math.isnan(v) for v in x + y):
        raise ValueError("x and y must not contain NaNs")
    m, n = len(x), len(y)
    xy = x + y
    method = choose_method(m, n, xy)
    ranks = rankdata(xy)
    u1 = sum(ranks[:m]) - m * (m + 1) / 2
    u = max(u1, m * n - u1)
    if method == "exact":
        # scipy: sf(U) = cdf(mn - U), the mass at U included
        p = exact_cdf(m * n - int(u), m, n)
    else:
        p = normal_sf(asymptotic_z(u, m, n, ranks))
    return u1, min(max(2 * p, 0.0), 1.0), method


def asymptotic_z(u, m, n, ranks):
    """scipy 1.10's _get_mwu_z: (U - mn/2 - 1/2) / sigma, sigma with the
    tie correction; +-inf (or nan) when sigma is 0 (every value equal)."""
    total = m + n
    counts = {}
    for r in ranks:
        counts[r] = counts.get(r, 0) + 1
    tie_term = sum(t ** 3 - t for t in counts.values())
    s = math.sqrt(max(m * n / 12 * ((total + 1) - tie_term / (total * (total - 1))), 0.0))
    num = u - m * n / 2 - 0.5
    if s == 0:
        return math.copysign(math.inf, num) if num else math.nan
    return num / s


def min_pvalue(m, n):
    """The smallest two-sided p-value mannwhitneyu() can give samples of @m
    and @n distinct values: that of complete separation (U = m n)."""
    if m < 1 or n < 1:
        return 1.0
    return mannwhitneyu(range(m), range(m, m + n))[1]


def hodges_lehmann(x, y, alpha):
    """The Hodges-Lehmann estimate of the shift of @y against @x and its
    distribution-free confidence interval of level at least 1 - @alpha.
    Return (estimate, low, high, level): level is the interval's achieved
    level (1 - 2 P(U <= k - 1)); low and high are None when even the widest
    interval (the smallest to the largest difference, k = 1) has a level
    under 1 - alpha, and level is then that widest interval's."""
    x, y = [float(v) for v in x], [float(v) for v in y]
    m, n = len(x), len(y)
    if not m or not n:
        raise ValueError("x and y must not be empty")
    d = sorted(b - a for a in x for b in y)
    est = statistics.median(d)
    mn = m * n
    if min(m, n) * mn <= EXACT_WORK:
        cdf = lambda k: exact_cdf(k, m, n)
    else:
        sigma = math.sqrt(mn * (m + n + 1) / 12)
        cdf = lambda k: 1 - normal_sf((k + 0.5 - mn / 2) / sigma)
    # The largest k with P(U <= k - 1) <= alpha / 2: bisection on the cdf.
    lo_k, hi_k = 0, mn // 2 + 1
    while hi_k - lo_k > 1:
        mid = (lo_k + hi_k) // 2
        if cdf(mid - 1) <= alpha / 2:
            lo_k = mid
        else:
            hi_k = mid
    if lo_k == 0:
        return est, None, None, 1 - 2 * cdf(0)
    return est, d[lo_k - 1], d[mn - lo_k], 1 - 2 * cdf(lo_k - 1)
