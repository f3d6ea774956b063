"""Figures that hold up on sparse codes: Gwet's AC1, PABAK and prevalence.

Checked against published worked examples (Gwet's Handbook and his irrCAC package, Fleiss
1971, Feinstein & Cicchetti 1990), against independent implementations written here in a
different way (pairs counted one by one, chance agreement summed category by category from a
contingency table), against hand-computed tables, and by properties.
"""

import csv
import io
import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qualcode.analysis.agreement import SCOPES, AgreementReport
from qualcode.analysis.statistics import (
    AgreementFigures,
    figures,
    gwet_ac1,
    krippendorff_alpha_nominal,
    pabak,
    percent_agreement,
    prevalence,
)
from qualcode.errors import InputError
from tests.test_cli import run

N = None

# -- published worked examples -------------------------------------------------------------

# Gwet, Handbook of Inter-Rater Reliability, 4th ed. (2014), p. 120 (dataset cac.raw4raters
# of his irrCAC package; the same ratings as Krippendorff's example C): four raters, twelve
# units, categories 1-5. Published (irrCAC README): pa = 0.8181818, pe = 0.1903212,
# AC1 = 0.77544; Brennan-Prediger (our PABAK for q = 5) = 0.77273.
# By hand: units 1-11 have two or more ratings; their shares of agreeing pairs are
# 1, .5, 1, 1, 1, 0, 1, .5, 1, 1, 1, so pa = 9/11. Unit 12 (one rating) counts in pi_k only.
GWET_RAW4RATERS = list(
    zip(
        [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, N],
        [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
        strict=True,
    )
)


def test_gwet_handbook_four_raters_with_missing_ratings():
    assert gwet_ac1(GWET_RAW4RATERS) == pytest.approx(0.77544, abs=5e-6)
    # (5 * 9/11 - 1) / 4 = 34/44
    assert pabak(GWET_RAW4RATERS) == pytest.approx(0.77273, abs=5e-6)
    assert pabak(GWET_RAW4RATERS) == pytest.approx(34 / 44, abs=1e-12)
    pa, pe = 9 / 11, 0.1903212
    assert gwet_ac1(GWET_RAW4RATERS) == pytest.approx((pa - pe) / (1 - pe), abs=1e-7)


def _from_contingency(table, labels):
    """Two raters' rating pairs from a contingency table (rows rater 1, columns rater 2)."""
    return [
        (labels[i], labels[j]) for i, row in enumerate(table) for j, n in enumerate(row) for _ in range(n)
    ]


# Gwet's Handbook (dataset cont3x3abstractors of irrCAC): two abstractors, 100 pregnancies.
# Published (irrCAC README): AC1 = 0.8493305, Cohen's kappa = 0.7964094, Krippendorff's alpha
# = 0.7972585, percent agreement = 0.89, Brennan-Prediger = 0.835 (= (3 * 0.89 - 1) / 2).
ABSTRACTORS = _from_contingency([[13, 0, 0], [0, 20, 7], [0, 4, 56]], ["Ectopic", "AIU", "NIU"])


def test_gwet_handbook_two_abstractors():
    assert gwet_ac1(ABSTRACTORS) == pytest.approx(0.8493305, abs=5e-8)
    assert pabak(ABSTRACTORS) == pytest.approx(0.835, abs=1e-12)
    result = figures(ABSTRACTORS, ["one", "two"])
    assert result.kappa == pytest.approx(0.7964094, abs=5e-8)
    assert result.alpha == pytest.approx(0.7972585, abs=5e-8)
    assert (result.percent, result.ac1, result.pabak) == (
        pytest.approx(0.89),
        pytest.approx(0.8493305, abs=5e-8),
        pytest.approx(0.835),
    )


# Fleiss (1971), six psychiatrists, fifteen patients, five diagnoses (irrCAC distrib.6raters,
# counts per patient and category). Published (irrCAC README): pa = 0.5511111,
# pe = 0.1914815, AC1 = 0.4448007, Brennan-Prediger = 0.4388889.
FLEISS_1971 = {
    "Depression": [0, 0, 0, 0, 0, 2, 0, 2, 2, 0, 1, 1, 0, 1, 0],
    "Personality disorder": [0, 3, 1, 0, 3, 0, 0, 0, 0, 0, 0, 1, 3, 0, 2],
    "Schizophrenia": [0, 0, 4, 0, 0, 4, 4, 3, 0, 0, 0, 0, 3, 0, 0],
    "Neurosis": [6, 0, 0, 0, 3, 0, 0, 1, 4, 0, 5, 4, 0, 5, 3],
    "Other": [0, 3, 1, 6, 0, 0, 2, 0, 0, 6, 0, 0, 0, 0, 1],
}


def test_fleiss_1971_six_raters():
    # The psychiatrists are not identified, so any order of a patient's six ratings will do.
    rows = [[k for k, counts in FLEISS_1971.items() for _ in range(counts[i])] for i in range(15)]
    assert {len(r) for r in rows} == {6}
    assert gwet_ac1(rows) == pytest.approx(0.4448007, abs=5e-8)
    assert pabak(rows) == pytest.approx(0.4388889, abs=5e-8)
    assert gwet_ac1(rows) == pytest.approx((0.5511111 - 0.1914815) / (1 - 0.1914815), abs=1e-6)


# More of Gwet's example datasets (irrCAC), with AC1 as the irrCAC Python port's tests give
# it (three decimals): 5 observers / 15 units / 4 values with missing ratings 0.497;
# 4 raters / 14 units / a-e with missing ratings 0.685; 4 raters / 15 units / a-c 0.208;
# Ben and Gerry, 2 raters / 12 units, one missing rating, 0.661.
OBSERVERS5 = list(
    zip(
        [1, 1, 2, N, 0, 0, 1, 1, 2, 2, N, 0, 1, 3, 1],
        [1, 1, 3, 0, 0, 0, 0, N, 2, 1, 1, 0, 2, 3, 1],
        [2, 0, 3, 0, 0, 0, 2, 2, 2, 1, 0, 0, 2, 2, 1],
        [N, 1, 3, N, N, N, N, 0, N, 1, 0, 0, 2, 2, N],
        [2, N, N, 0, 0, 0, 1, N, 2, N, N, N, N, 3, 1],
        strict=True,
    )
)
G1G2 = list(
    zip(
        [*"abccbadab", N, N, N, "b", "b"],
        [*"abccbbdabe", N, N, "b", "a"],
        [N, *"cccbcdbbeaccc"],
        [*"abccbddabea", N, "b", "b"],
        strict=True,
    )
)
GENDER = list(
    zip(*(s.split() for s in ("a a a a a b b b c a a a a a b", "a a a a b a b c c a a a a b a",
                              "a b b c a a b b c a b b c a a", "c c c c a a b b c c c c c a a")), strict=True)
)  # fmt: skip
BEN_GERRY = list(zip("aabbdcccedda", [*"babbbccce", N, "d", "d"], strict=True))


@pytest.mark.parametrize(
    ("table", "expected"), [(OBSERVERS5, 0.497), (G1G2, 0.685), (GENDER, 0.208), (BEN_GERRY, 0.661)]
)
def test_more_gwet_examples(table, expected):
    assert round(gwet_ac1(table), 3) == expected


# Feinstein & Cicchetti (1990), the kappa paradox: both tables have po = 0.85, yet
# kappa = 0.70 (pe = 0.50) and kappa = 0.32 (pe = 0.78). PABAK = 2 * 0.85 - 1 = 0.70 for both
# (Byrt, Bishop & Carlin 1993). AC1 by hand: pi_yes = (row + column total of yes) / 200;
# A: pi = 95/200 = 0.475, pe = 2 * 0.475 * 0.525 = 0.49875, AC1 = 0.35125 / 0.50125;
# B: pi = 175/200 = 0.875, pe = 2 * 0.875 * 0.125 = 0.21875, AC1 = 0.63125 / 0.78125 = 0.808.
FEINSTEIN_A = _from_contingency([[40, 9], [6, 45]], [True, False])
FEINSTEIN_B = _from_contingency([[80, 10], [5, 5]], [True, False])


def test_kappa_paradox_tables():
    a, b = figures(FEINSTEIN_A, ["A", "B"]), figures(FEINSTEIN_B, ["A", "B"])
    assert a.percent == b.percent == pytest.approx(0.85)
    assert round(a.kappa, 2) == 0.70 and round(b.kappa, 2) == 0.32
    assert a.pabak == pytest.approx(0.70) and b.pabak == pytest.approx(0.70)
    assert a.ac1 == pytest.approx(0.35125 / 0.50125, abs=1e-12)
    assert b.ac1 == pytest.approx(0.808, abs=1e-12)
    assert a.prevalence == pytest.approx(95 / 200) and b.prevalence == pytest.approx(175 / 200)


def test_kappa_near_zero_at_95_percent_agreement():
    # Cunningham (2009, SAS Global Forum paper 242), figure 2: 95 both yes, 4 and 1 split, 0 both no.
    # PABAK = 2 * 0.95 - 1 = 0.90. By hand: pe = (99 * 96 + 1 * 4) / 100^2 = 0.9508, so
    # kappa = (0.95 - 0.9508) / 0.0492 = -0.01626; pi_yes = 195/200 = 0.975,
    # pe(AC1) = 2 * 0.975 * 0.025 = 0.04875, AC1 = 0.90125 / 0.95125 = 0.947438.
    result = figures(_from_contingency([[95, 4], [1, 0]], [True, False]), ["A", "B"])
    assert result.pabak == pytest.approx(0.90)
    assert result.kappa == pytest.approx(-0.0008 / 0.0492, abs=1e-12)
    assert result.ac1 == pytest.approx(0.90125 / 0.95125, abs=1e-12)
    assert result.prevalence == pytest.approx(0.975)


# The case: a rare code, 93% raw agreement, kappa about 0.3. 100 segments: both yes 2,
# only A 4, only B 3, both no 91. po = 0.93; pe = (6 * 5 + 94 * 95) / 100^2 = 0.896, so
# kappa = 0.034 / 0.104 = 0.3269; pi_yes = 11/200 = 0.055, pe(AC1) = 2 * 0.055 * 0.945 = 0.10395,
# AC1 = 0.82605 / 0.89605 = 0.92188; PABAK = 0.86; prevalence 0.055.
RARE_CODE = _from_contingency([[2, 4], [3, 91]], [True, False])


def test_rare_code_by_hand():
    result = figures(RARE_CODE, ["anna", "machine"])
    assert result.kappa == pytest.approx(0.034 / 0.104, abs=1e-12)
    assert result.ac1 == pytest.approx(0.82605 / 0.89605, abs=1e-12)
    assert result.pabak == pytest.approx(0.86, abs=1e-12)
    assert result.prevalence == pytest.approx(0.055, abs=1e-12)


# -- independent implementations -----------------------------------------------------------


def ac1_by_pairs(table, categories=None):
    """AC1 from Gwet's multi-rater formulas, written the long way: agreeing pairs counted one
    by one per unit, category shares summed category by category with plain Python."""
    rated = [[v for v in row if v is not None] for row in table]
    rated = [r for r in rated if r]
    labels = list(categories) if categories is not None else sorted({v for r in rated for v in r}, key=repr)
    q = len(labels)
    pairable = [r for r in rated if len(r) >= 2]
    if q < 2 or not pairable:
        return math.nan, math.nan
    shares = []
    for r in pairable:
        pairs = list(itertools.combinations(r, 2))
        shares.append(sum(x == y for x, y in pairs) / len(pairs))
    pa = sum(shares) / len(shares)
    pe = 0.0
    for k in labels:
        pi_k = sum(r.count(k) / len(r) for r in rated) / len(rated)
        pe += pi_k * (1 - pi_k)
    pe /= q - 1
    return (pa - pe) / (1 - pe), pa


def ac1_two_raters_from_contingency(a, b):
    """Gwet (2008) for two raters and no missing ratings: pi_k = (row_k + column_k) / 2n from
    the contingency table, pe = sum_k pi_k (1 - pi_k) / (q - 1)."""
    labels = sorted(set(a) | set(b))
    n, q = len(a), len(labels)
    table = {(x, y): 0 for x in labels for y in labels}
    for x, y in zip(a, b, strict=True):
        table[x, y] += 1
    po = sum(table[k, k] for k in labels) / n
    pe = 0.0
    for k in labels:
        pi_k = (sum(table[k, y] for y in labels) + sum(table[x, k] for x in labels)) / (2 * n)
        pe += pi_k * (1 - pi_k)
    pe /= q - 1
    return (po - pe) / (1 - pe)


def _random_table(seed, units, coders, categories, missing):
    rng = np.random.default_rng(seed)
    # skewed category shares, so that some tables look like rare codes
    weights = rng.dirichlet(np.full(categories, 0.5))
    data = rng.choice(categories, size=(units, coders), p=weights).astype(object)
    data[rng.random(data.shape) < missing] = None
    return data.tolist()


CASES = [
    (seed, *case)
    for seed, case in enumerate(itertools.product((6, 40, 300), (2, 3, 5), (2, 3, 4), (0.0, 0.35)))
]


@pytest.mark.parametrize(("seed", "units", "coders", "categories", "missing"), CASES)
def test_ac1_and_pabak_match_counting_pairs(seed, units, coders, categories, missing):
    table = _random_table(seed, units, coders, categories, missing)
    ac1, pa = ac1_by_pairs(table)
    if math.isnan(ac1):  # nothing pairable or one category
        assert math.isnan(gwet_ac1(table)) and math.isnan(pabak(table))
        return
    q = len({v for row in table for v in row if v is not None})
    assert gwet_ac1(table) == pytest.approx(ac1, abs=1e-12)
    assert pabak(table) == pytest.approx((q * pa - 1) / (q - 1), abs=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_two_rater_ac1_matches_the_contingency_table_formula(seed):
    table = _random_table(seed, 80, 2, 2 + seed % 3, 0.0)
    a, b = zip(*table, strict=True)
    if len(set(a) | set(b)) < 2:  # a very skewed draw: one category, so q - 1 = 0
        assert math.isnan(gwet_ac1(table))
        return
    assert gwet_ac1(table) == pytest.approx(ac1_two_raters_from_contingency(a, b), abs=1e-12)


def test_declared_categories_count_even_when_unused():
    # Two coders, 4 units, 3 agree: pa = 0.75. With q = 2 PABAK = 0.5; declaring a third,
    # unused category makes q = 3: PABAK = (3 * 0.75 - 1) / 2 = 0.625, and AC1 changes with it.
    table = [("x", "x"), ("x", "x"), ("y", "y"), ("x", "y")]
    assert pabak(table) == pytest.approx(0.5)
    assert pabak(table, categories=["x", "y", "z"]) == pytest.approx(0.625)
    ac1, _ = ac1_by_pairs(table, categories=["x", "y", "z"])
    assert gwet_ac1(table, categories=["x", "y", "z"]) == pytest.approx(ac1, abs=1e-12)
    assert gwet_ac1(table, categories=["x", "y", "z"]) != pytest.approx(gwet_ac1(table))
    with pytest.raises(InputError, match="not among the categories"):
        gwet_ac1(table, categories=["x"])


# -- properties ------------------------------------------------------------------------------

VALUES = st.sampled_from([None, 0, 1, 2])
ROWS = st.lists(st.lists(VALUES, min_size=3, max_size=3), max_size=25)


def _same(x, y):
    return (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, abs=1e-12)


@settings(max_examples=80, deadline=None)
@given(rows=ROWS, order=st.permutations([0, 1, 2]), names=st.permutations(["p", "q", "r"]))
def test_ac1_properties(rows, order, names):
    ac1 = gwet_ac1(rows)
    q = len({v for row in rows for v in row if v is not None})
    if not math.isnan(ac1):
        assert -1 / (q - 1) - 1e-12 <= ac1 <= 1 + 1e-12
        assert -1 <= ac1 <= 1
    # symmetric in coders, and invariant to renaming the categories
    renamed = [[None if row[i] is None else names[row[i]] for i in order] for row in rows]
    assert _same(ac1, gwet_ac1(renamed))
    assert _same(pabak(rows), pabak(renamed))
    # a unit nobody judged changes nothing
    assert _same(ac1, gwet_ac1([*rows, [None, None, None]]))


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.lists(VALUES, min_size=2, max_size=4), min_size=1, max_size=20))
def test_perfect_agreement_gives_one(rows):
    width = max(len(r) for r in rows)
    # every coder who judged a unit gives it the unit's first value
    agreeing = []
    for r in rows:
        first = next((x for x in r if x is not None), None)
        agreeing.append([None if v is None else first for v in r] + [None] * (width - len(r)))
    pairable = any(sum(v is not None for v in r) >= 2 for r in agreeing)
    q = len({v for r in agreeing for v in r if v is not None})
    if pairable and q >= 2:
        assert gwet_ac1(agreeing) == 1.0
        assert pabak(agreeing) == 1.0
    if pairable:
        # with yes/no declared, one value in use is still perfect agreement (q = 2)
        yes_no = [[None if v is None else v == 1 for v in r] for r in agreeing]
        assert gwet_ac1(yes_no, categories=(False, True)) == 1.0
        assert pabak(yes_no, categories=(False, True)) == 1.0


@settings(max_examples=80, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from([None, True, False]), st.sampled_from([None, True, False]))))
def test_pabak_is_twice_percent_minus_one_for_two_categories(rows):
    po = percent_agreement(rows)
    result = pabak(rows, categories=(False, True))
    assert _same(result, 2 * po - 1)
    values = [v for row in rows for v in row if v is not None]
    assert _same(prevalence(rows), sum(values) / len(values) if values else math.nan)


def test_single_ratings_count_in_the_shares_only():
    base = [(True, True), (False, False), (True, False), (False, False)]
    lone = [*base, (True, None), (None, True)]
    # observed agreement ignores units with one rating: PABAK is unchanged ...
    assert pabak(lone) == pabak(base) == pytest.approx(0.5)
    # ... but pi_yes moves from 3/8 to (1 + 0 + .5 + 0 + 1 + 1)/6 = 3.5/6, as in Gwet's formulas
    pi = 3.5 / 6
    pe = 2 * pi * (1 - pi)
    assert gwet_ac1(lone) == pytest.approx((0.75 - pe) / (1 - pe), abs=1e-12)
    assert gwet_ac1(lone) != pytest.approx(gwet_ac1(base))


def test_undefined_is_nan():
    for table in ([], [(None, None)], [(1, None), (None, 2)]):
        assert math.isnan(gwet_ac1(table)) and math.isnan(pabak(table))
    # one category in use and no categories declared: q = 1, undefined
    assert math.isnan(gwet_ac1([(1, 1), (1, 1)])) and math.isnan(pabak([(1, 1), (1, 1)]))
    assert math.isnan(prevalence([(None, None)]))


# -- figures and the report ------------------------------------------------------------------


def test_figures_carry_the_new_fields():
    result = figures(RARE_CODE, ["anna", "bob"], categories=(False, True))
    assert result.ac1 == pytest.approx(gwet_ac1(RARE_CODE))
    assert result.pabak == pytest.approx(pabak(RARE_CODE))
    assert result.prevalence == pytest.approx(prevalence(RARE_CODE))
    # prevalence is a yes/no notion: None for other categories
    assert figures(GWET_RAW4RATERS, list("ABCD")).prevalence is None
    assert figures(GWET_RAW4RATERS, list("ABCD")).ac1 == pytest.approx(0.77544, abs=5e-6)
    # == compares the original five figures only, so code comparing those keeps working
    five = AgreementFigures(result.units, result.pairable_units, result.percent, result.kappa, result.alpha)
    assert result == five and math.isnan(five.ac1) and five.prevalence is None


def _code_figures(table, coders=("anna", "machine")):
    return figures(table, list(coders), categories=(False, True))


def _report(coders, tables):
    """A report with the same code tables in both scopes, pooled as ``agreement`` pools them."""
    per_code = {code: _code_figures(table, coders) for code, table in tables.items()}
    pooled = _code_figures([row for table in tables.values() for row in table], coders)
    return AgreementReport(
        list(coders),
        "turn",
        100,
        {scope: pooled for scope in SCOPES},
        {scope: dict(per_code) for scope in SCOPES},
    )


BALANCED = _from_contingency([[45, 3], [2, 50]], [True, False])  # po 0.95, kappa 0.90: no note
COMMON = [(not a, not b) for a, b in RARE_CODE]  # prevalence 0.945


def test_text_notes_kappa_that_is_low_because_of_prevalence():
    report = _report(["anna", "machine"], {"Rare": RARE_CODE, "Balanced": BALANCED, "Common": COMMON})
    text = report.to_text()
    header = next(line for line in text.splitlines() if line.strip().startswith("code"))
    assert header.split() == ["code", "units", "agree", "kappa", "alpha", "AC1", "PABAK", "prev"]
    lines = text.splitlines()
    rare = next(i for i, line in enumerate(lines) if line.strip().startswith("Rare"))
    assert lines[rare].split()[1:] == ["100", "0.930", "0.327", f"{krippendorff_alpha_nominal(RARE_CODE):.3f}",
                                       "0.922", "0.860", "0.055"]  # fmt: skip
    assert lines[rare + 1] == (
        "    note: kappa is low because the code is rare (prevalence 0.055); see AC1/PABAK"
    )
    common = next(i for i, line in enumerate(lines) if line.strip().startswith("Common"))
    assert "the code is nearly always applied (prevalence 0.945)" in lines[common + 1]
    balanced = next(i for i, line in enumerate(lines) if line.strip().startswith("Balanced"))
    assert "note" not in lines[balanced + 1]
    assert text.count("note:") == 2 * len(SCOPES)


def test_no_note_when_agreement_is_low_or_kappa_is_fine():
    # rare code but only 80% agreement: kappa is low for a real reason
    poor = _from_contingency([[1, 8], [9, 82]], [True, False])
    assert _code_figures(poor).prevalence < 0.1 and _code_figures(poor).percent < 0.9
    # rare code, high agreement and kappa >= 0.5: nothing to explain
    good = _from_contingency([[4, 1], [1, 94]], [True, False])
    assert _code_figures(good).kappa >= 0.5
    for table in (poor, good):  # one code each, so the pooled row is that code too
        assert "note:" not in _report(["anna", "bob"], {"Code": table}).to_text()


def test_three_coders_note_alpha():
    # 100 segments: anna says yes on 0-4, bob on 2-6, carla on 4-8
    table = [(i < 5, 2 <= i < 7, 4 <= i < 9) for i in range(100)]
    f = _code_figures(table, ["anna", "bob", "carla"])
    assert f.kappa is None and f.alpha < 0.5 and f.percent >= 0.9
    text = _report(["anna", "bob", "carla"], {"Rare": table}).to_text()
    assert "note: alpha is low because the code is rare" in text
    assert "note: alpha is low because the codes are rare" in text  # the pooled row


def test_csv_has_the_new_columns_at_the_end():
    report = _report(["anna", "machine"], {"Rare": RARE_CODE})
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert rows[0] == ["scope", "code", "units", "pairable_units", "percent_agreement", "cohen_kappa",
                       "krippendorff_alpha", "gwet_ac1", "pabak", "prevalence"]  # fmt: skip
    rare = next(r for r in rows if r[1] == "Rare")
    assert rare[-3:] == ["0.922", "0.860", "0.055"]


def test_json_has_the_new_fields():
    report = _report(["anna", "machine"], {"Rare": RARE_CODE, "Never": [(False, False), (None, False)]})
    data = json.loads(report.to_json())
    rare = data["per_code"]["all segments"]["Rare"]
    assert rare["ac1"] == pytest.approx(0.82605 / 0.89605)
    assert rare["pabak"] == pytest.approx(0.86)
    assert rare["prevalence"] == pytest.approx(0.055)
    # a code nobody applied: kappa and alpha are undefined (null), AC1 and PABAK are 1 with q = 2
    never = data["per_code"]["all segments"]["Never"]
    assert (never["kappa"], never["alpha"], never["ac1"], never["pabak"], never["prevalence"]) == (
        None,
        None,
        1,
        1,
        0,
    )


# -- through the command line ------------------------------------------------------------------


# Twenty answers; anna and bob each code one answer "Zeldzaam" (a different one) and both code
# "Steun" on the same ten. Zeldzaam: po = 18/20 = 0.9, prevalence 2/40 = 0.05,
# pe = (1 * 1 + 19 * 19) / 400 = 0.905, kappa = -0.005 / 0.095 = -0.0526; pi_yes = 0.05,
# pe(AC1) = 2 * 0.05 * 0.95 = 0.095, AC1 = 0.805 / 0.905 = 0.8895; PABAK = 0.8.
def _answers():
    out = []
    for i in range(20):
        anna = ["Steun"] if i < 10 else []
        bob = list(anna)
        if i == 12:
            anna.append("Zeldzaam")
        if i == 15:
            bob.append("Zeldzaam")
        out.append((f"r{i}", f"Antwoord nummer {i}.", ";".join(anna), ";".join(bob)))
    return out


@pytest.fixture
def sparse_survey(tmp_path):
    path = tmp_path / "answers.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([("id", "text", "anna", "bob"), *_answers()])
    project = tmp_path / "s.qc"
    run("init", project)
    run("units", "import", project, path, "--coders", "anna,bob", "--add-missing-codes")
    run("segment", project, "--unit", "turn")
    return project


def test_agree_reports_ac1_pabak_and_prevalence(sparse_survey, tmp_path):
    report = json.loads(run("agree", sparse_survey, "--coders", "anna,bob", "--format", "json").output)
    rare = report["per_code"]["all segments"]["Zeldzaam"]
    assert rare["percent"] == pytest.approx(0.9)
    assert rare["kappa"] == pytest.approx(-0.005 / 0.095)
    assert rare["ac1"] == pytest.approx(0.805 / 0.905)
    assert rare["pabak"] == pytest.approx(0.8)
    assert rare["prevalence"] == pytest.approx(0.05)
    steun = report["per_code"]["all segments"]["Steun"]
    assert (steun["ac1"], steun["pabak"], steun["prevalence"]) == (1.0, 1.0, 0.5)
    text = run("agree", sparse_survey, "--coders", "anna,bob").output
    assert "note: kappa is low because the code is rare (prevalence 0.050); see AC1/PABAK" in text
    run("agree", sparse_survey, "--coders", "anna,bob", "--format", "csv", "-o", tmp_path / "a.csv")
    rows = list(csv.DictReader((tmp_path / "a.csv").open(encoding="utf-8")))
    zeldzaam = next(r for r in rows if r["code"] == "Zeldzaam" and r["scope"] == "all segments")
    assert (zeldzaam["gwet_ac1"], zeldzaam["pabak"], zeldzaam["prevalence"]) == ("0.890", "0.800", "0.050")
