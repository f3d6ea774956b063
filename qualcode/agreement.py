"""Intercoder agreement statistics over a reliability table (units x coders).

Values are hashable categories (for qualcode usually True/False: "coder applied the code to
the segment"), ``None`` where a coder did not judge a unit. Pure functions, no database.
Undefined figures (nothing to compare, or only one category in use) are NaN, never a
misleading 0 or 1.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

Table = Sequence[Sequence[Hashable | None]]


@dataclass(frozen=True)
class AgreementFigures:
    units: int  # rows in the table
    pairable_units: int  # rows with at least two values
    percent: float
    kappa: float | None  # Cohen's kappa: two coders only
    alpha: float


def figures(table: Table, coders: Sequence[str]) -> AgreementFigures:
    pairable = sum(1 for row in table if sum(v is not None for v in row) >= 2)
    kappa = None
    if len(coders) == 2:
        kappa = cohen_kappa([row[0] for row in table], [row[1] for row in table])
    return AgreementFigures(
        len(table), pairable, percent_agreement(table), kappa, krippendorff_alpha_nominal(table)
    )


def percent_agreement(table: Table) -> float:
    """Agreeing coder pairs / all coder pairs, pooled over the units with two or more values
    (for two coders: the share of units on which they agree)."""
    agreeing = pairs = 0
    for row in table:
        values = [v for v in row if v is not None]
        m = len(values)
        if m < 2:
            continue
        counts: dict = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        agreeing += sum(c * (c - 1) // 2 for c in counts.values())
        pairs += m * (m - 1) // 2
    return agreeing / pairs if pairs else math.nan


def cohen_kappa(a: Sequence[Hashable | None], b: Sequence[Hashable | None]) -> float:
    """Cohen's kappa over the units both coders judged: (po - pe) / (1 - pe), pe from each
    coder's own marginals. NaN when pe == 1 (both used one and the same category throughout)."""
    pairs = [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]
    if not pairs:
        return math.nan
    n = len(pairs)
    observed = sum(x == y for x, y in pairs) / n
    first: dict = {}
    second: dict = {}
    for x, y in pairs:
        first[x] = first.get(x, 0) + 1
        second[y] = second.get(y, 0) + 1
    expected = sum(first[c] * second.get(c, 0) for c in first) / (n * n)
    if expected == 1:
        return math.nan
    return (observed - expected) / (1 - expected)


def krippendorff_alpha_nominal(table: Table) -> float:
    """Krippendorff's alpha for nominal data, any number of coders, missing values allowed.

    Coincidences: within each unit with m >= 2 values, every ordered pair of values from
    different coders adds 1 / (m - 1). With n_c the marginals and n their total,
    alpha = 1 - (n - 1) * D_o / D_e where D_o = sum of off-diagonal coincidences and
    D_e = sum over c != k of n_c * n_k. NaN when fewer than two categories occur.
    """
    categories: dict = {}
    unit_index, value_index, units = [], [], 0
    for row in table:
        values = [categories.setdefault(v, len(categories)) for v in row if v is not None]
        if len(values) >= 2:
            unit_index += [units] * len(values)
            value_index += values
            units += 1
    if not units or len(categories) < 2:
        return math.nan
    k = len(categories)
    counts = np.zeros((units, k))  # n_uc: how many coders gave unit u category c
    np.add.at(counts, (np.array(unit_index), np.array(value_index)), 1)
    m = counts.sum(axis=1)
    weights = 1 / (m - 1)
    coincidence = (counts * weights[:, None]).T @ counts  # sum_u n_uc n_uk / (m_u - 1)
    coincidence[np.diag_indices(k)] -= (counts * weights[:, None]).sum(axis=0)  # pairs need two values
    marginals = coincidence.sum(axis=1)
    n = marginals.sum()
    observed_disagreement = coincidence.sum() - np.trace(coincidence)
    expected_disagreement = (marginals.sum() ** 2 - (marginals**2).sum()) / (n - 1)
    if expected_disagreement == 0:
        return math.nan
    return float(1 - observed_disagreement / expected_disagreement)
