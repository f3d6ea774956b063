"""Intercoder agreement statistics over a reliability table for one variable.

A table has one row per unit (a segment) and one column per coder. Values are hashable
categories (in qualcode usually True/False: "the coder applied the code to this segment");
``None`` means the coder did not judge that unit. These are pure functions with no database.
Figures that are undefined, because nothing can be compared or only one category is in use,
are NaN and never a misleading 0 or 1.

Besides percent agreement, Cohen's kappa and Krippendorff's alpha there are two figures that
hold up on sparse codes, where kappa and alpha drop at high raw agreement because nearly every
rating is "no" (Feinstein & Cicchetti 1990: kappa 0.32 at 85% agreement): Gwet's AC1 and
PABAK, with the prevalence of "yes" to show when that is happening.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from qualcode.errors import InputError

Value = Hashable | None
Table = Sequence[Sequence[Value]]

MISSING = -1  # the integer code for None once the values are mapped to indices


@dataclass(frozen=True)
class AgreementFigures:
    units: int  # rows in the table
    pairable_units: int  # rows with at least two values
    percent: float
    kappa: float | None  # Cohen's kappa: exactly two coders only
    alpha: float
    # Added later, and left out of == (compare=False) so that comparisons of the five figures
    # above keep working; all eight are computed from the same table by ``figures``.
    ac1: float = field(default=math.nan, compare=False)  # Gwet's AC1
    pabak: float = field(default=math.nan, compare=False)  # (q * p_a - 1) / (q - 1)
    prevalence: float | None = field(default=None, compare=False)  # share of "yes"; None if not yes/no


def figures(
    table: Table, coders: Sequence[str], categories: Sequence[Hashable] | None = None
) -> AgreementFigures:
    """All the figures for one table whose columns are ``coders``, in that order.

    ``categories`` are the values a coder could choose (for a code: ``(False, True)``); by
    default those that occur in the table. AC1 and PABAK depend on how many there are.
    """
    codes = _encode(table, width=len(coders), categories=categories)
    q = _category_count(codes, categories)
    kappa = _kappa(codes) if len(coders) == 2 else None
    pairable = int(((codes != MISSING).sum(axis=1) >= 2).sum())
    share = prevalence(table) if _yes_no(table) else None
    return AgreementFigures(
        len(codes), pairable, _percent(codes), kappa, _alpha(codes), _ac1(codes, q), _pabak(codes, q), share
    )


def percent_agreement(table: Table) -> float:
    """Agreeing coder pairs divided by all coder pairs, pooled over the units with two or more values.

    Within a unit judged by m coders there are m(m - 1)/2 pairs. For two coders this is the
    share of jointly judged units on which they agree. NaN when no unit has two values.
    """
    return _percent(_encode(table))


def cohen_kappa(a: Sequence[Value], b: Sequence[Value]) -> float:
    """Cohen's kappa for two coders over the units both judged (a unit with a None is left out).

    kappa = (po - pe) / (1 - pe), where po is the observed share of agreement and pe the
    agreement expected by chance from each coder's own marginals. Undefined, and so NaN,
    when pe == 1 (both coders used one and the same value on every unit) or when no unit was
    judged by both.
    """
    if len(a) != len(b):
        raise InputError(f"cohen_kappa needs two equally long lists of values, got {len(a)} and {len(b)}")
    return _kappa(_encode(list(zip(a, b, strict=True))))


def krippendorff_alpha_nominal(table: Table) -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    Only units with m_u >= 2 values count. In the coincidence matrix, o_ck sums over those
    units the number of ordered (c, k) value pairs from different coders divided by m_u - 1.
    Its marginals n_c count the pairable values and n is their total. Then
    D_o = sum_{c != k} o_ck, D_e = sum_{c != k} n_c n_k / (n - 1) and alpha = 1 - D_o / D_e.
    NaN when D_e == 0 (fewer than two categories among the pairable values, or none at all).
    """
    return _alpha(_encode(table))


def gwet_ac1(table: Table, categories: Sequence[Hashable] | None = None) -> float:
    """Gwet's AC1 for nominal data, any number of coders, missing values allowed.

    With r_ik the number of coders who put unit i in category k, r_i = sum_k r_ik, and q the
    number of categories (``categories``, by default those occurring in the table), following
    Gwet (2008, eqs. for multiple raters) and Gwet, Handbook of Inter-Rater Reliability
    (4th ed., 2014, ch. 4), as in his irrCAC package:

    - p_a = mean over the units with r_i >= 2 of sum_k r_ik (r_ik - 1) / (r_i (r_i - 1));
      units with fewer than two values do not count in the observed agreement;
    - pi_k = mean over the units with r_i >= 1 of r_ik / r_i (a unit judged by one coder
      does count in the category shares, as in Gwet's formulas; a unit nobody judged does not);
    - p_e = sum_k pi_k (1 - pi_k) / (q - 1), and AC1 = (p_a - p_e) / (1 - p_e).

    For two coders p_a is the percent agreement. p_e <= 1/q, so AC1 lies in [-1/(q-1), 1].
    NaN when no unit has two values or when there are fewer than two categories.
    """
    codes = _encode(table, categories=categories)
    return _ac1(codes, _category_count(codes, categories))


def pabak(table: Table, categories: Sequence[Hashable] | None = None) -> float:
    """Prevalence- and bias-adjusted kappa: kappa with the chance agreement fixed at 1/q.

    Byrt, Bishop & Carlin (1993) define it for two categories as PABAK = 2 p_o - 1. Here it is
    defined for q categories as (q p_o - 1) / (q - 1), which is 2 p_o - 1 for q = 2 and is the
    coefficient of Bennett, Alpert & Goldstein (1954) and Brennan & Prediger (1981). p_o is the
    observed agreement p_a of :func:`gwet_ac1`: the percent agreement for two coders; for more,
    the mean over the units with two or more values of each unit's share of agreeing pairs.
    q is the number of ``categories`` (by default those occurring in the table).
    NaN when no unit has two values or when there are fewer than two categories.
    """
    codes = _encode(table, categories=categories)
    return _pabak(codes, _category_count(codes, categories))


def prevalence(table: Table, yes: Hashable = True) -> float:
    """The share of the (unit, coder) ratings that are ``yes``, over every value that is not
    None (a unit judged by one coder counts too). NaN when the table has no values."""
    values = [v for row in table for v in row if v is not None]
    return sum(v == yes for v in values) / len(values) if values else math.nan


def _yes_no(table: Table) -> bool:
    return all(isinstance(v, bool | np.bool_) for row in table for v in row if v is not None)


def _encode(
    table: Table, width: int | None = None, categories: Sequence[Hashable] | None = None
) -> np.ndarray:
    """The table as a units x coders integer array, with categories numbered 0, 1, ... and
    ``MISSING`` for None. Equal values are one category (as in a dict: True == 1). With
    ``categories`` these are numbered in that order and any other value is an error."""
    index: dict = {}
    if categories is not None:
        index = {c: i for i, c in enumerate(dict.fromkeys(categories))}
        unknown = {v for row in table for v in row if v is not None and v not in index}
        if unknown:
            raise InputError(
                f"values {sorted(map(repr, unknown))} are not among the categories {list(index)}"
            )
    rows = [[MISSING if v is None else index.setdefault(v, len(index)) for v in row] for row in table]
    if width is None:
        width = len(rows[0]) if rows else 0
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(
                f"row {i} of the reliability table has {len(row)} values; every row needs {width}"
            )
    return np.array(rows, dtype=np.int64).reshape(len(rows), width)


def _category_count(codes: np.ndarray, categories: Sequence[Hashable] | None) -> int:
    if categories is not None:
        return len(dict.fromkeys(categories))
    return int(codes.max()) + 1 if (codes != MISSING).any() else 0


def _column_pairs(codes: np.ndarray):
    """For each pair of coders i < j: the units both judged, and whether they agree there."""
    coders = codes.shape[1]
    for i in range(coders):
        for j in range(i + 1, coders):
            both = (codes[:, i] != MISSING) & (codes[:, j] != MISSING)
            yield both, codes[:, i] == codes[:, j]


def _percent(codes: np.ndarray) -> float:
    agreeing = pairs = 0
    for both, same in _column_pairs(codes):
        pairs += int(both.sum())
        agreeing += int((both & same).sum())
    return agreeing / pairs if pairs else math.nan


def _kappa(codes: np.ndarray) -> float:
    judged = codes[(codes != MISSING).all(axis=1)]
    n = len(judged)
    if n == 0:
        return math.nan
    k = int(judged.max()) + 1
    first, second = np.bincount(judged[:, 0], minlength=k), np.bincount(judged[:, 1], minlength=k)
    chance = int(first @ second)  # n^2 * pe, exact in integers
    if chance == n * n:
        return math.nan
    observed = int((judged[:, 0] == judged[:, 1]).sum()) / n
    expected = chance / (n * n)
    return (observed - expected) / (1 - expected)


def _alpha(codes: np.ndarray) -> float:
    values = (codes != MISSING).sum(axis=1)
    pairable = values >= 2
    codes, values = codes[pairable], values[pairable]
    totals = np.bincount(codes[codes != MISSING], minlength=1)  # n_c
    if np.count_nonzero(totals) < 2:
        return math.nan
    weight = 1.0 / (values - 1)
    # Each unordered disagreeing pair within a unit is two ordered off-diagonal coincidences.
    observed = 2 * sum(float(weight[both & ~same].sum()) for both, same in _column_pairs(codes))
    n = int(totals.sum())
    expected = (n * n - int((totals * totals).sum())) / (n - 1)  # sum_{c != k} n_c n_k / (n - 1)
    return 1 - observed / expected


def _category_counts(codes: np.ndarray, q: int) -> np.ndarray:
    """r_ik: units x categories, how many coders put unit i in category k."""
    return np.stack([(codes == k).sum(axis=1) for k in range(q)], axis=1).reshape(len(codes), q)


def _observed(counts: np.ndarray) -> float:
    """Gwet's p_a: the mean over units with two or more values of their share of agreeing pairs."""
    totals = counts.sum(axis=1)
    pairable = totals >= 2
    if not pairable.any():
        return math.nan
    c, r = counts[pairable], totals[pairable]
    return float(((c * (c - 1)).sum(axis=1) / (r * (r - 1))).mean())


def _ac1(codes: np.ndarray, q: int) -> float:
    if q < 2:
        return math.nan
    counts = _category_counts(codes, q)
    observed = _observed(counts)
    if math.isnan(observed):
        return math.nan
    totals = counts.sum(axis=1)
    rated = totals >= 1
    shares = (counts[rated] / totals[rated, None]).mean(axis=0)  # pi_k
    chance = float((shares * (1 - shares)).sum()) / (q - 1)  # at most 1/q, so never 1
    return (observed - chance) / (1 - chance)


def _pabak(codes: np.ndarray, q: int) -> float:
    if q < 2:
        return math.nan
    return (q * _observed(_category_counts(codes, q)) - 1) / (q - 1)
