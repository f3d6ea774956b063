"""Agreement statistics: published worked examples, independent implementations, edge cases."""

import itertools
import math

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from qualcode.analysis.statistics import (
    AgreementFigures,
    cohen_kappa,
    figures,
    krippendorff_alpha_nominal,
    percent_agreement,
)
from qualcode.errors import InputError

# Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability", example C: four
# observers A-D, twelve units, values 1-5, "." (None) for missing. Nominal alpha = 0.743.
# By hand: units 1-11 are pairable (unit 12 has one value), n = 40 with n_1..n_5 = 9, 13, 10, 5, 3,
# so sum n_c^2 = 384; D_o = 4 (unit 6: 1,2,3,4) + 2 (unit 2) + 2 (unit 8) = 8;
# alpha = 1 - (40 - 1) * 8 / (40^2 - 384) = 1 - 312/1216 = 0.74342.
KRIPPENDORFF_2011 = list(
    zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],  # A
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],  # B
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],  # C
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],  # D
        strict=True,
    )
)


def test_krippendorff_published_example():
    alpha = krippendorff_alpha_nominal(KRIPPENDORFF_2011)
    assert round(alpha, 3) == 0.743
    assert alpha == pytest.approx(1 - 312 / 1216, abs=1e-12)


def test_cohen_kappa_two_categories_by_hand():
    # 50 items: both yes 20, a yes / b no 5, a no / b yes 10, both no 15.
    # po = 35/50 = 0.7; a says yes 25, b says yes 30: pe = (25*30 + 25*20) / 50^2 = 0.5;
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4, abs=1e-12)


def test_cohen_kappa_three_categories_by_hand():
    # 10 items, a = xxxxyyyzzz, b = xxxyyyyzzx: they differ on item 4 (x/y) and item 10 (z/x),
    # so po = 8/10 = 0.8. Marginals: a x4 y3 z3, b x4 y4 z2, so pe = (4*4 + 3*4 + 3*2) / 100 = 0.34;
    # kappa = (0.8 - 0.34) / (1 - 0.34) = 0.46 / 0.66 = 0.696970.
    assert cohen_kappa(list("xxxxyyyzzz"), list("xxxyyyyzzx")) == pytest.approx(0.46 / 0.66, abs=1e-12)


def _random_table(seed: int, units: int, coders: int, categories: int, missing: float) -> np.ndarray:
    """A units x coders float array of categories 0..categories-1, NaN for missing."""
    rng = np.random.default_rng(seed)
    data = rng.integers(0, categories, size=(units, coders)).astype(float)
    data[rng.random(data.shape) < missing] = np.nan
    return data


def _as_table(data: np.ndarray, labels=None) -> list[list]:
    labels = labels or {}
    return [[None if np.isnan(v) else labels.get(int(v), int(v)) for v in row] for row in data]


CASES = [
    (seed, units, coders, categories, missing)
    for seed, (units, coders, categories, missing) in enumerate(
        itertools.product((10, 57, 400), (2, 3, 4), (2, 3, 4), (0.0, 0.3))
    )
]


@pytest.mark.parametrize(("seed", "units", "coders", "categories", "missing"), CASES)
def test_alpha_matches_krippendorff_package(seed, units, coders, categories, missing):
    data = _random_table(seed, units, coders, categories, missing)
    # string labels for some cases: values are any hashables, not just numbers
    labels = {0: "no", 1: "yes", 2: "maybe", 3: "n/a"} if seed % 3 == 0 else None
    expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(_as_table(data, labels)) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    ("seed", "units", "categories", "missing"),
    [(seed, *case) for seed, case in enumerate(itertools.product((10, 57, 400), (2, 3, 4), (0.0, 0.3)))],
)
def test_kappa_matches_scikit_learn(seed, units, categories, missing):
    data = _random_table(seed, units, 2, categories, missing)
    a, b = zip(*_as_table(data), strict=True)
    both = ~np.isnan(data).any(axis=1)  # scikit-learn has no missing values: keep jointly judged units
    expected = cohen_kappa_score(data[both, 0], data[both, 1])
    assert cohen_kappa(a, b) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("seed", "units", "coders", "categories", "missing"), CASES[::5])
def test_percent_agreement_matches_counting_pairs(seed, units, coders, categories, missing):
    table = _as_table(_random_table(seed, units, coders, categories, missing))
    agreeing = pairs = 0
    for row in table:
        for x, y in itertools.combinations([v for v in row if v is not None], 2):
            pairs += 1
            agreeing += x == y
    assert percent_agreement(table) == pytest.approx(agreeing / pairs, abs=1e-12)


def test_percent_agreement_pools_pairs_over_units():
    table = [(1, 1, 1), (1, 1, 0), (0, None, 0), (1, None, None)]
    # unit 1: 3 of 3 pairs agree; unit 2: 1 of 3; unit 3: 1 of 1; unit 4 has no pair.
    assert percent_agreement(table) == pytest.approx(5 / 7)


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(st.sampled_from([None, 0, 1, 2]), min_size=3, max_size=3), max_size=25),
    order=st.permutations([0, 1, 2]),
)
def test_figures_ignore_coder_order_and_category_names(rows, order):
    swapped = [[None if row[i] is None else f"category {row[i]}" for i in order] for row in rows]
    for statistic in (krippendorff_alpha_nominal, percent_agreement):
        before, after = statistic(rows), statistic(swapped)
        assert (math.isnan(before) and math.isnan(after)) or before == pytest.approx(after, abs=1e-12)


def test_perfect_agreement():
    assert krippendorff_alpha_nominal([(1, 1, 1), (2, 2, None), (1, 1, 1)]) == 1.0
    assert cohen_kappa([True, False, True], [True, False, True]) == 1.0
    assert percent_agreement([(1, 1), (2, 2)]) == 1.0


def test_total_disagreement():
    # n = 4, n_1 = n_2 = 2, D_o = 4: alpha = 1 - 3 * 4 / (16 - 8) = -0.5
    assert krippendorff_alpha_nominal([(1, 2), (2, 1)]) == pytest.approx(-0.5)
    # po = 0, pe = 0.5: kappa = -1
    assert cohen_kappa([1, 0, 1, 0], [0, 1, 0, 1]) == pytest.approx(-1.0)
    assert percent_agreement([(1, 2), (2, 1)]) == 0.0


def test_nothing_pairable_is_nan():
    for table in ([], [(None, None)], [(1, None), (None, 2)]):
        assert math.isnan(krippendorff_alpha_nominal(table))
        assert math.isnan(percent_agreement(table))
    assert math.isnan(cohen_kappa([1, None], [None, 2]))
    assert math.isnan(cohen_kappa([], []))


def test_one_constant_value_is_nan():
    assert math.isnan(krippendorff_alpha_nominal([(1, 1), (1, 1), (1, None)]))
    # the only other value sits in a unit with one value, so it does not count
    assert math.isnan(krippendorff_alpha_nominal([(1, 1), (1, 1), (2, None)]))
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))
    # one constant coder with the other varying: pe < 1, so kappa is defined (and 0)
    assert cohen_kappa([0, 0, 0, 0], [0, 1, 0, 1]) == 0.0


def test_unit_with_one_value_is_ignored():
    base = [(1, 1), (2, 2), (1, 2)]
    for statistic in (krippendorff_alpha_nominal, percent_agreement):
        assert statistic([*base, (2, None)]) == statistic(base)
        assert statistic([(None, 5), *base]) == statistic(base)
    assert cohen_kappa([1, 2, 1, 2], [1, 2, 2, None]) == cohen_kappa([1, 2, 1], [1, 2, 2])


def test_figures():
    result = figures([(True, True), (False, True), (None, False)], ["anna", "bob"])
    # two pairable units, agreeing on one; pe = (1*2 + 1*0) / 4 = 0.5 = po, so kappa = 0
    assert result == AgreementFigures(
        units=3,
        pairable_units=2,
        percent=0.5,
        kappa=0.0,
        alpha=krippendorff_alpha_nominal([(True, True), (False, True)]),
    )
    three = figures(KRIPPENDORFF_2011, ["A", "B", "C", "D"])
    assert (three.units, three.pairable_units, three.kappa) == (12, 11, None)
    assert round(three.alpha, 3) == 0.743


def test_rows_must_match_the_coders():
    with pytest.raises(InputError, match="row 1 of the reliability table has 3 values; every row needs 2"):
        figures([(1, 1), (1, 1, 1)], ["a", "b"])
    with pytest.raises(InputError, match="two equally long lists"):
        cohen_kappa([1, 2], [1])


def test_large_random_tables_show_no_agreement_beyond_chance():
    # Speed is a benchmark matter (about 0.06 s for this table on our machines), not a test's.
    data = np.random.default_rng(0).integers(0, 3, size=(50_000, 3)).astype(object)
    data[np.random.default_rng(1).random(data.shape) < 0.1] = None
    result = figures(data.tolist(), ["a", "b", "c"])
    assert -0.05 < result.alpha < 0.05
