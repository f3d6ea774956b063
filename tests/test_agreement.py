"""Agreement statistics: published worked examples and independent implementations."""

import math
import time

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from qualcode.agreement import cohen_kappa, figures, krippendorff_alpha_nominal, percent_agreement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with four
# observers, twelve units, values 1-5 and missing data: nominal alpha = 0.743.
KRIPPENDORFF_2011 = list(
    zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
        strict=True,
    )
)


def test_krippendorff_published_example():
    assert krippendorff_alpha_nominal(KRIPPENDORFF_2011) == pytest.approx(0.743, abs=5e-4)


def test_cohen_kappa_by_hand():
    # 50 items: both yes 20, a yes / b no 5, a no / b yes 10, both no 15.
    # po = 35/50 = 0.7; pe = (25*30 + 25*20) / 50^2 = 0.5; kappa = 0.2 / 0.5 = 0.4.
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)
    # Three categories, 10 items: a = xxxxyyyzzz, b = xxxyyyyzzx. They agree on 8 (po = 0.8);
    # a's marginals x4 y3 z3, b's x4 y4 z2: pe = (16 + 12 + 6) / 100 = 0.34;
    # kappa = (0.8 - 0.34) / 0.66 = 0.69697.
    assert cohen_kappa(list("xxxxyyyzzz"), list("xxxyyyyzzx")) == pytest.approx(0.46 / 0.66)


@pytest.mark.parametrize("seed", range(40))
def test_against_independent_implementations(seed):
    rng = np.random.default_rng(seed)
    units, coders, categories = int(rng.integers(5, 80)), int(rng.integers(2, 5)), int(rng.integers(2, 5))
    data = rng.integers(0, categories, size=(units, coders)).astype(float)
    if seed % 2:
        data[rng.random(data.shape) < 0.25] = np.nan
    table = [[None if np.isnan(v) else int(v) for v in row] for row in data]
    expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal")
    assert krippendorff_alpha_nominal(table) == pytest.approx(expected, abs=1e-9)
    if coders == 2 and seed % 2 == 0:
        assert cohen_kappa(data[:, 0].tolist(), data[:, 1].tolist()) == pytest.approx(
            cohen_kappa_score(data[:, 0], data[:, 1]), abs=1e-9
        )


def test_percent_agreement_counts_pairs():
    table = [(1, 1, 1), (1, 1, 0), (0, None, 0), (1, None, None)]
    # unit 1: 3 of 3 pairs agree; unit 2: 1 of 3; unit 3: 1 of 1; unit 4 is not pairable.
    assert percent_agreement(table) == pytest.approx(5 / 7)


def test_edge_cases():
    assert krippendorff_alpha_nominal([(1, 1), (2, 2), (1, 1)]) == 1.0
    assert cohen_kappa([1, 0, 1], [1, 0, 1]) == 1.0
    assert krippendorff_alpha_nominal([(1, 2), (2, 1)]) < 0  # systematic disagreement
    assert math.isnan(krippendorff_alpha_nominal([(1, None), (None, 2)]))  # nothing pairable
    assert math.isnan(krippendorff_alpha_nominal([(1, 1), (1, 1)]))  # one category only
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))
    assert math.isnan(percent_agreement([(None, 1)]))
    # a unit judged by one coder only does not change alpha
    assert krippendorff_alpha_nominal([(1, 1), (2, 2), (1, 2), (2, None)]) == krippendorff_alpha_nominal(
        [(1, 1), (2, 2), (1, 2)]
    )


def test_figures():
    result = figures([(True, True), (False, True), (None, False)], ["a", "b"])
    assert (result.units, result.pairable_units) == (3, 2)
    assert result.percent == 0.5 and result.kappa == pytest.approx(0.0)
    assert figures([(1, 1, 1)], ["a", "b", "c"]).kappa is None


def test_fast_on_large_tables():
    table = np.random.default_rng(0).integers(0, 2, size=(50_000, 3)).tolist()
    started = time.perf_counter()
    krippendorff_alpha_nominal(table)
    percent_agreement(table)
    assert time.perf_counter() - started < 2
