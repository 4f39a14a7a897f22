"""
Suggested points: a regularised logistic regression over the signals, turned into rules.

Why this model: its coefficients are additive log-odds, which is what point rules are (a
score is a sum of points), so each coefficient becomes one rule's points with nothing
hidden. scikit-learn's ``LogisticRegression`` (L2 penalty, lbfgs) fits it on a sparse matrix:
maintained, tested code rather than a hand-written solver.

1. The population of the period (``evidence.population``) is split by time: contacts who
   became leads in the last ``holdout_months`` are held out; the model learns from the
   months before only (a model that saw the months it is judged on would look better than
   it is).
2. Features: every rule-able signal (``evidence.conversion_signals``) of the training months
   that rests on at least ``min_support`` contacts (with it and without it) and whose
   conversion rate differs at 95 % confidence (|z| >= 1.96): noise is left out before the
   model sees it. An event condition is the number of its matches before the observation
   point, decayed with the current half-life and capped like a rule's ``max_times`` (the
   current rule's cap, else ``EVENT_CAP``); a profile condition is 0 or 1. That is what a
   rule with one point gives, so ``points * feature`` is the rule's score. Two conditions
   that give every training contact the same value (``url contains /pricing`` and ``url =
   /pricing`` when there is one pricing page) are one feature, the current rule's if there
   is one: the model would otherwise split the points between two rules that always fire
   together.
3. The training set keeps every converted contact and a sample of the others when it would
   be larger than ``EVIDENCE_TRAIN_SAMPLE`` (a sampled contact weighs for those left out):
   the only rows read into memory, one per contact and feature it has.
4. Points: ``round(coefficient * POINTS_TO_DOUBLE_ODDS / ln 2)``, so ten points double the
   odds; signals worth less than ``MIN_POINTS`` either way (under x1.2 on the odds: on a
   large history the faint traces of chance pass the confidence test) are left out, of
   the rules and of the score they are judged by. The MQL threshold is set so that the
   suggested rules flag as many training contacts as the current rules do (the same load
   on sales, so that precision compares fairly), with no minimum per dimension.
5. Quality on the held-out months, suggested and current rules side by side, through the
   same replay as the backtest: AUC of the score at the observation point, and precision of
   the MQL test there; counted by the database per score.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from reporting.periods import Period
from scoring.models import Rule

from . import conversion_signals, replay, sql
from . import population as pop
from .candidates import Candidate, Thresholds, current_candidate, rule_from_json, rule_json
from .conversion_signals import Signal
from .errors import NotEnoughHistory
from .models import Target
from .stats import Z95, auc, rate, two_proportion_z

POINTS_TO_DOUBLE_ODDS = 10
MIN_POINTS = 3
EVENT_CAP = 3
# Inverse strength of the L2 penalty: scikit-learn's default, a mild pull towards 0 that
# keeps a signal seen on few contacts from getting extreme points.
REGULARISATION_C = 1.0
# A sample that looks random and is the same at each run: the contact id modulo a prime
# (unrelated to the observation quantiles' modulo).
SAMPLE_MODULUS = 1009
TRAINING = "p.holdout = 0"
HELD_OUT = "p.holdout = 1"
NAME = "Suggested points"
STEPS = 6


@dataclass(frozen=True)
class Feature:
    signal: Signal
    rule: Rule  # the signal as a one-point rule


def _features(
    found: list[Signal], everyone: conversion_signals.Counts, target: Target, min_support: int
) -> list[Feature]:
    """Rule-able signals with enough support and evidence, as one-point rules; those of a
    current rule first."""
    features = []
    for signal in sorted(found, key=lambda s: not s.rules):
        counts = signal.counts
        if signal.condition is None or conversion_signals.is_small(signal, everyone, min_support):
            continue
        z = two_proportion_z(
            counts.reached(target),
            counts.contacts,
            everyone.reached(target) - counts.reached(target),
            everyone.contacts - counts.contacts,
        )
        if abs(z) < Z95:
            continue
        rule = signal.rule(points=1, active=True)
        if rule.is_event_rule:
            rule.max_times = rule.max_times or EVENT_CAP
        features.append(Feature(signal, rule))
    return features


def _distinct(features: list[Feature], matrix: Any) -> tuple[list[Feature], Any]:
    """The features whose column differs from every earlier one's."""
    columns = matrix.tocsc()
    seen, kept = set(), []
    for n in range(columns.shape[1]):
        start, end = columns.indptr[n], columns.indptr[n + 1]
        key = (
            columns.indices[start:end].tobytes(),
            np.round(columns.data[start:end], 9).tobytes(),
        )
        if key not in seen:
            seen.add(key)
            kept.append(n)
    return [features[n] for n in kept], columns[:, kept].tocsr()


def _sample(population: str, target: Target) -> tuple[str, float]:
    """Which training contacts the model learns from (SQL over ``p``), and the weight of
    each of the others when they are sampled."""
    contacts, converted = pop.counts(population, target, TRAINING)
    others = contacts - converted
    if contacts <= settings.EVIDENCE_TRAIN_SAMPLE or not others:
        return TRAINING, 1.0
    share = max(1, settings.EVIDENCE_TRAIN_SAMPLE - converted) / others
    kept = min(SAMPLE_MODULUS, max(1, math.floor(share * SAMPLE_MODULUS)))
    outcome = pop.OUTCOME[target]
    # "%%": a literal modulo in SQL sent with parameters (both drivers read it so).
    where = f"{TRAINING} AND (p.{outcome} = 1 OR p.contact_id %% {SAMPLE_MODULUS} < {kept})"
    return where, SAMPLE_MODULUS / kept


def _labels(table: str, target: Target) -> tuple[np.ndarray, np.ndarray]:
    """Contact ids (sorted) and outcomes of a (sampled) population table."""
    rows = sql.fetch(f"SELECT contact_id, {pop.OUTCOME[target]} FROM {table} ORDER BY contact_id")
    data = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
    return data[:, 0], data[:, 1]


def _matrix(features: list[Feature], table: str, ids: np.ndarray, half_life: float | None):
    """Contacts (``ids`` order) x features: what each feature's one-point rule gives each
    contact of the (sampled) table, in one pass over its events, read a chunk at a time
    and kept sparse."""
    shape = (len(ids), len(features))
    if not features:
        return sparse.csr_matrix(shape)
    select, params, slots = replay.observed([f.rule for f in features], table, "1 = 1", half_life)
    columns = np.array([1 + slots.of(feature.rule) for feature in features])
    rows, cols, values = [], [], []
    for chunk in sql.stream(select, params):
        data = np.asarray(chunk, dtype=np.float64)
        given = data[:, columns]
        row, col = np.nonzero(given)
        rows.append(np.searchsorted(ids, data[row, 0].astype(np.int64)))
        cols.append(col)
        values.append(given[row, col])
    if not rows:
        return sparse.csr_matrix(shape)
    coordinates = (np.concatenate(rows), np.concatenate(cols))
    return sparse.csr_matrix((np.concatenate(values), coordinates), shape=shape)


def _fit(matrix, y: np.ndarray, weights: np.ndarray) -> LogisticRegression:
    if matrix.shape[1] == 0:
        raise NotEnoughHistory(
            _(
                "No signal was seen on enough contacts in the training months: lower the "
                "minimum support or choose a longer period."
            )
        )
    if y.min() == y.max():
        raise NotEnoughHistory(
            _(
                "In the training months nobody (or everybody) reached the target: there is no "
                "difference to learn from. Choose a longer or earlier period."
            )
        )
    model = LogisticRegression(C=REGULARISATION_C, max_iter=1000)
    return model.fit(matrix, y, sample_weight=weights)


def points(coefficient: float) -> int:
    """A coefficient (log-odds) as whole points; 0 below ``MIN_POINTS``."""
    given = round(coefficient * POINTS_TO_DOUBLE_ODDS / math.log(2))
    return given if abs(given) >= MIN_POINTS else 0


def matching_threshold(scores: np.ndarray, weights: np.ndarray, share: float) -> int:
    """The whole score whose "score >= it" flags the (weighted) share of contacts closest to
    ``share``, the higher one on a tie; above every score when ``share`` is 0."""
    whole = np.floor(scores + 0.5).astype(np.int64)
    values = np.unique(whole)[::-1]
    if share <= 0 or not len(values):
        return int(values[0]) + 1 if len(values) else 1
    flagged = np.array([weights[whole >= value].sum() for value in values]) / weights.sum()
    return int(values[np.argmin(np.abs(flagged - share))])


def _suggested_rules(features: list[Feature], model: LogisticRegression) -> list[dict[str, Any]]:
    rules = []
    for feature, coefficient in zip(features, model.coef_[0], strict=True):
        given = points(coefficient)
        if given == 0:
            continue
        current = feature.signal.rules[0] if feature.signal.rules else None
        rules.append(
            rule_json(feature.rule)
            | {
                "id": current.pk if current else None,
                "name": current.name if current else feature.signal.label[:200],
                "points": given,
                "key": feature.signal.key,
                "odds_ratio": round(math.exp(coefficient), 3),
                "support": feature.signal.counts.contacts,
                "current_points": current.points if current else None,
            }
        )
    rules.sort(key=lambda rule: (-abs(rule["points"]), rule["name"]))
    return rules


def _flagged_share(candidate: Candidate, table: str, target: Target, weight: float) -> float:
    """The (weighted) share of a sampled table's contacts that the candidate makes MQLs."""
    histogram = replay.score_histogram(candidate, table, target)
    flagged = sum(k + (n - k) * weight for _, mql, n, k in histogram if mql)
    everyone = sum(k + (n - k) * weight for _, _, n, k in histogram)
    return flagged / everyone if everyone else 0.0


def quality(candidate: Candidate, table: str, target: Target) -> dict[str, Any]:
    """AUC of the score at the observation point, and precision of the MQL test there."""
    histogram = replay.score_histogram(candidate, table, target, HELD_OUT)
    found = auc((score, n, k) for score, _, n, k in histogram)
    flagged = sum(n for _, mql, n, _ in histogram if mql)
    caught = sum(k for _, mql, _, k in histogram if mql)
    return {
        "contacts": sum(n for _, _, n, _ in histogram),
        "converted": sum(k for _, _, _, k in histogram),
        "auc": round(found, 4) if found is not None else None,
        "flagged": flagged,
        "caught": caught,
        "precision": rate(caught, flagged),
    }


def suggestion_report(
    *,
    period: Period,
    holdout_from: datetime,
    target: Target,
    window_days: int,
    min_support: int,
    now: datetime,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Any]:
    """Suggested rules and threshold, and their quality beside the current rules'."""
    current = current_candidate()
    half_life = current.thresholds.half_life_seconds
    observation = pop.Observation(period, window_days, now, holdout_from=holdout_from)
    with sql.more_memory(), pop.population(observation) as everyone:
        held_out = pop.counts(everyone, target, HELD_OUT)
        if not held_out[0]:
            raise NotEnoughHistory(
                _(
                    "No contact became a lead in the held-out months: choose a later end or "
                    "fewer held-out months."
                )
            )
        found = conversion_signals.all_signals(current.active_rules, everyone, TRAINING, progress)
        trained_on = conversion_signals.total(everyone, TRAINING)
        features = _features(found, trained_on, target, min_support)
        progress("Fitting the model")
        where, weight = _sample(everyone, target)
        with pop.subset(everyone, where) as learning:
            ids, y = _labels(learning, target)
            features, matrix = _distinct(features, _matrix(features, learning, ids, half_life))
            weights = np.where(y == 1, 1.0, weight)
            model = _fit(matrix, y, weights)
            share = _flagged_share(current, learning, target, weight)
        rules = _suggested_rules(features, model)
        given = np.array([points(c) for c in model.coef_[0]], dtype=np.float64)
        suggested = Candidate(
            name=NAME,
            rules=tuple(rule_from_json(rule) for rule in rules),
            thresholds=Thresholds(
                matching_threshold(matrix @ given, weights, share),
                half_life_days=current.thresholds.half_life_days,
            ),
        )
        progress("Scoring the held-out months")
        compared = {
            "current": quality(current, everyone, target),
            "suggested": quality(suggested, everyone, target),
        }
    return {
        "target": target,
        "training": {
            "contacts": trained_on.contacts,
            "converted": trained_on.reached(target),
            "sampled": len(ids),
        },
        "holdout": {
            "start": holdout_from.astimezone(period.tz).date().isoformat(),
            "end": period.end.isoformat(),
        },
        "features": len(features),
        "intercept": round(float(model.intercept_[0]), 4),
        "points_to_double_odds": POINTS_TO_DOUBLE_ODDS,
        "rules": rules,
        "settings": suggested.thresholds.as_json(),
        "current_settings": current.thresholds.as_json(),
        "quality": compared,
    }
