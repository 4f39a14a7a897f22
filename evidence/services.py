"""
Every write of the evidence app: analyses started and run, suggested points adopted.

Adopting is the only way evidence reaches the live scoring, and it goes through scoring's
own services (``rule_create``, ``rule_update``, ``settings_update``, ``recompute_start``):
the rules a marketer adopts are ordinary rules, validated and recomputed like any other,
and nothing is applied without that explicit step.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.jobs import enqueue_on_commit
from leads.roles import User, account
from reporting.periods import Period, month_start
from scoring import services as scoring
from scoring.models import RecomputeJob, Rule
from scoring.releases import released

from . import backtest, conversion_signals, learning
from .candidates import RULE_FIELDS, Candidate
from .errors import NotEnoughHistory
from .models import OPEN, Analysis, Kind, Status

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


def period_of(params: dict[str, Any]) -> Period:
    return Period.of(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))


def holdout_start(period: Period, months: int) -> datetime:
    """The first instant of the last ``months`` calendar months of the period."""
    first = month_start(period.end)
    for _month in range(months - 1):
        if first <= period.start:
            break
        first = month_start(first - timedelta(days=1))
    return period.midnight(max(first, period.start))


def _backtest(params: dict, now: datetime, progress: Progress) -> dict:
    return backtest.backtest_report(
        candidates=[Candidate.from_json(c) for c in params["candidates"]],
        period=period_of(params),
        now=now,
        progress=progress,
    )


def _signals(params: dict, now: datetime, progress: Progress) -> dict:
    return conversion_signals.signals_report(
        period=period_of(params),
        window_days=params["window_days"],
        min_support=params["min_support"],
        target=params["target"],
        now=now,
        progress=progress,
    )


def _suggestion(params: dict, now: datetime, progress: Progress) -> dict:
    period = period_of(params)
    return learning.suggestion_report(
        period=period,
        holdout_from=holdout_start(period, params["holdout_months"]),
        target=params["target"],
        window_days=params["window_days"],
        min_support=params["min_support"],
        now=now,
        progress=progress,
    )


RUNNERS: dict[str, Callable[[dict, datetime, Progress], dict]] = {
    Kind.BACKTEST: _backtest,
    Kind.SIGNALS: _signals,
    Kind.SUGGESTION: _suggestion,
}


# How many steps each kind reports as it runs (its progress bar).
STEPS = {
    Kind.BACKTEST: backtest.STEPS,
    Kind.SIGNALS: conversion_signals.STEPS,
    Kind.SUGGESTION: learning.STEPS,
}


@transaction.atomic
def analysis_start(*, kind: Kind, params: dict[str, Any], by: User | None) -> Analysis:
    """Queue an analysis of the history; the worker runs it after the commit.

    The same question asked again while it is pending or running returns that analysis
    (and queues it again: a message lost on the way to the broker, or a broker down when it
    was asked, must not leave it pending forever; a second run is harmless, it only reads).
    """
    key = hashlib.sha256(json.dumps([kind, params], sort_keys=True).encode()).hexdigest()
    analysis = Analysis.objects.filter(fingerprint=key, status__in=OPEN).first()
    if analysis is None:
        analysis = Analysis.objects.create(
            kind=kind,
            params=params,
            fingerprint=key,
            steps_total=STEPS[kind],
            requested_by=account(by),
        )
    enqueue_on_commit(
        "evidence.tasks.run_analysis",
        analysis.pk,
        waiting=f"analysis {analysis.pk} waits to be asked again",
    )
    return analysis


class _Progress:
    """Writes the step being done on the row, in its own statement (autocommit), so that the
    page polling the analysis sees it while the next step runs."""

    def __init__(self, analysis_id: int) -> None:
        self.analysis_id, self.done = analysis_id, 0

    def __call__(self, step: str) -> None:
        Analysis.objects.filter(pk=self.analysis_id, status=Status.RUNNING).update(
            step=step[:200], steps_done=self.done
        )
        self.done += 1


def analysis_run(*, analysis_id: int) -> Analysis:
    """Run a pending analysis (or one whose worker died: it is still "running") and keep
    its result. Only reads the history; the first run to finish writes the result."""
    Analysis.objects.filter(pk=analysis_id, status=Status.PENDING).update(
        status=Status.RUNNING, started_at=timezone.now()
    )
    analysis = Analysis.objects.get(pk=analysis_id)
    if analysis.status != Status.RUNNING:
        return analysis
    finished = Analysis.objects.filter(pk=analysis_id, status=Status.RUNNING)
    try:
        run = RUNNERS[analysis.kind]
        result = run(analysis.params, analysis.created_at, _Progress(analysis_id))
    except NotEnoughHistory as error:
        finished.update(status=Status.FAILED, error=str(error), finished_at=timezone.now())
    except Exception:
        logger.exception("Analysis %s failed", analysis_id)
        finished.update(
            status=Status.FAILED,
            error=_("The analysis stopped on an error; the details are in the worker's log."),
            finished_at=timezone.now(),
        )
        raise
    else:
        finished.update(
            status=Status.DONE,
            result=result,
            steps_done=analysis.steps_total,
            step="",
            finished_at=timezone.now(),
        )
    return Analysis.objects.get(pk=analysis_id)


def _messages(error: ValidationError) -> str:
    if not hasattr(error, "error_dict"):
        return "; ".join(error.messages)
    return "; ".join(f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items())


def _adopt_rule(position: int, fields: dict[str, Any]) -> Rule:
    """Update the current rule the suggestion came from (its ``id``), or create a rule."""
    values = {name: fields[name] for name in RULE_FIELDS if name in fields}
    existing = Rule.objects.filter(pk=fields["id"]).first() if fields.get("id") else None
    try:
        if existing is not None:
            return scoring.rule_update(rule=existing, **values)
        return scoring.rule_create(**values)
    except ValidationError as error:
        name = values.get("name", "")
        raise ValidationError(
            {
                "rules": [
                    _("Rule %(position)d (%(name)s): %(errors)s")
                    % {"position": position + 1, "name": name, "errors": _messages(error)}
                ]
            }
        ) from error


@transaction.atomic
def suggestion_adopt(
    *,
    analysis: Analysis,
    by: User,
    rules: list[dict[str, Any]],
    replace_current: bool = False,
    settings: dict[str, Any] | None = None,
) -> RecomputeJob:
    """Make ordinary scoring rules of the suggested ones the marketer kept, as edited: a
    rule that came from a current one updates it, the others are created. Optionally switch
    off the other rules in force and change the thresholds; then rescore everyone (scoring's
    recompute). All or nothing; recorded on the analysis. Returns the recompute job."""
    analysis = Analysis.objects.select_for_update().get(pk=analysis.pk)
    if analysis.kind != Kind.SUGGESTION or analysis.status != Status.DONE:
        raise ValidationError({"analysis": [_("Only a finished suggestion can be adopted.")]})
    if not rules:
        raise ValidationError({"rules": [_("Keep at least one rule to adopt.")]})
    # One release for the whole adoption, however many rules it writes.
    with released(reason=_("Suggested points adopted"), by=by):
        adopted = [_adopt_rule(n, fields) for n, fields in enumerate(rules)]
        switched_off = []
        if replace_current:
            others = Rule.objects.filter(active=True).exclude(pk__in=[r.pk for r in adopted])
            for rule in others:
                switched_off.append(scoring.rule_update(rule=rule, active=False).pk)
        if settings:
            try:
                scoring.settings_update(**settings)
            except ValidationError as error:
                raise ValidationError({"settings": [_messages(error)]}) from error
    job = scoring.recompute_start(by=by)
    adoption = {
        "at": timezone.now().isoformat(),
        "by": by.pk,
        "rules": [rule.pk for rule in adopted],
        "switched_off": switched_off,
        "settings": settings or {},
        "recompute": job.pk,
    }
    result = analysis.result or {}
    analysis.result = {**result, "adoptions": [*result.get("adoptions", []), adoption]}
    analysis.save(update_fields=["result"])
    return job
