"""The statistics shown to a marketer, checked against textbook values and scikit-learn."""

import math
import random

import pytest
from sklearn.metrics import roc_auc_score

from evidence.stats import Comparison, auc, lift_interval, two_proportion_z, wilson


def test_the_wilson_interval_stays_within_0_and_1_for_small_counts():
    low, high = wilson(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(8, 20)
    assert (round(low, 4), round(high, 4)) == (0.2188, 0.6134)
    assert wilson(0, 0) is None


def test_the_lift_interval_holds_the_lift_and_widens_with_fewer_contacts():
    wide = lift_interval(6, 10, 10, 100)
    narrow = lift_interval(60, 100, 100, 1000)
    assert wide[0] < 6 < wide[1] and narrow[0] < 6 < narrow[1]
    assert narrow[1] - narrow[0] < wide[1] - wide[0]
    assert lift_interval(0, 10, 5, 10) is None


def test_the_z_of_two_equal_rates_is_zero_and_grows_with_the_gap():
    assert two_proportion_z(10, 100, 20, 200) == 0.0
    assert 0 < two_proportion_z(30, 100, 20, 100) < two_proportion_z(40, 100, 20, 100)
    assert two_proportion_z(0, 0, 3, 10) == 0.0


def test_a_comparison_splits_everyone_into_those_with_and_without_the_signal():
    compared = Comparison.of(n_with=100, k_with=60, n_all=200, k_all=70)
    assert (compared.rate_with, compared.rate_without) == (0.6, 0.1)
    assert compared.lift == pytest.approx(6.0)


def test_auc_from_a_histogram_of_scores_is_what_scikit_learn_gives():
    rng = random.Random(3)
    scores = [rng.randint(0, 12) for _ in range(500)]
    labels = [int(rng.random() < 0.1 + s / 20) for s in scores]
    pairs = list(zip(scores, labels, strict=True))
    histogram = [(s, scores.count(s), sum(y for x, y in pairs if x == s)) for s in set(scores)]
    assert auc(histogram) == pytest.approx(roc_auc_score(labels, scores))
    assert auc([(1, 10, 0)]) is None
    assert not math.isnan(auc([(1, 5, 1), (2, 5, 4)]))
