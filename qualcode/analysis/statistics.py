"""Intercoder agreement statistics over a reliability table for one variable.

A table has one row per unit (a segment) and one column per coder. Values are hashable
categories (in qualcode usually True/False: "the coder applied the code to this segment");
``None`` means the coder did not judge that unit. These are pure functions with no database.
Figures that are undefined, because nothing can be compared or only one category is in use,
are NaN and never a misleading 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

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


def figures(table: Table, coders: Sequence[str]) -> AgreementFigures:
    """All three figures for one table whose columns are ``coders``, in that order."""
    codes = _encode(table, width=len(coders))
    kappa = _kappa(codes) if len(coders) == 2 else None
    pairable = int(((codes != MISSING).sum(axis=1) >= 2).sum())
    return AgreementFigures(len(codes), pairable, _percent(codes), kappa, _alpha(codes))


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


def _encode(table: Table, width: int | None = None) -> np.ndarray:
    """The table as a units x coders integer array, with categories numbered 0, 1, ... and
    ``MISSING`` for None. Equal values are one category (as in a dict: True == 1)."""
    index: dict = {}
    rows = [[MISSING if v is None else index.setdefault(v, len(index)) for v in row] for row in table]
    if width is None:
        width = len(rows[0]) if rows else 0
    for i, row in enumerate(rows):
        if len(row) != width:
            raise InputError(
                f"row {i} of the reliability table has {len(row)} values; every row needs {width}"
            )
    return np.array(rows, dtype=np.int64).reshape(len(rows), width)


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
