"""
Rule sets as releases: a draft is copied from a version and edited; publishing it makes its
rules and thresholds the ones that score, archives the version it replaces and rescores
everyone in one recompute; publishing an archived version again is the rollback.

A write that names no version (today's rules page, an integration's ``PATCH`` of a rule or
of the thresholds) is a release of its own: ``released`` keeps the version in use as it was,
archived, and publishes a new version holding the changed rules. The rules keep their ids,
so their counters stay valid and the change costs what it cost before versions existed.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.erasure import scrub_rows
from leads.errors import Conflict
from leads.jobs import job_start
from leads.records import checked_save
from leads.roles import User, account

from . import shadow
from .models import Rule, RuleSet, RuleSetState, ScoringSettings, ShadowJob, Thresholds

State = RuleSetState
# The version a write without one goes to while ``released`` is open (nested writes, such
# as the adoption of several backtested rules, make one release).
_open_release: ContextVar[RuleSet | None] = ContextVar("open_release", default=None)


class ReleaseConflict(Conflict):
    """The version's state does not allow the action (HTTP 409 with the state)."""

    def __init__(self, message: str, *, state: str) -> None:
        self.state = state
        super().__init__(message)

    def fields(self) -> dict[str, Any]:
        return {"state": self.state}


def _lock() -> ScoringSettings:
    """Releases queue up on the live settings row: two publishes at once would otherwise
    both archive the same version and both publish theirs."""
    return ScoringSettings.objects.select_for_update().get_or_create(pk=1)[0]


def _archive(ruleset: RuleSet, *, reason: str) -> RuleSet:
    """The published version steps down (saved, so that the audit log has it)."""
    ruleset.state, ruleset.reason, ruleset.archived_at = State.ARCHIVED, reason, timezone.now()
    ruleset.save()
    return ruleset


def _copy_rules(rules: QuerySet[Rule], target: RuleSet) -> None:
    """Copy the rules' definitions into ``target``; the copies have no counters yet."""
    Rule.all_versions.bulk_create(
        Rule(ruleset=target, **{name: getattr(rule, name) for name in Rule.DEFINITION_FIELDS})
        for rule in rules.order_by("pk")
    )


@transaction.atomic
def ruleset_draft(*, by: User | None, source: RuleSet | None = None, name: str = "") -> RuleSet:
    """A draft copy of ``source`` (the published version when None): its rules and its
    thresholds, to edit and backtest before anyone is scored by it."""
    source = source or RuleSet.published()
    draft = RuleSet(
        name=name or _("Draft of %(name)s") % {"name": source.name},
        state=State.DRAFT,
        based_on=source,
        created_by=account(by),
        **{field: getattr(source, field) for field in Thresholds.FIELDS},
    )
    draft.full_clean()
    draft.save()
    _copy_rules(source.rules.all(), draft)
    return draft


def _state(ruleset: RuleSet) -> str:
    return str(ruleset.get_state_display()).lower()


def editable(ruleset: RuleSet) -> None:
    """Only a draft is edited in place: the published version changes by a release, an
    archived one is kept as it was (draft from it instead)."""
    if ruleset.state != State.DRAFT:
        raise ReleaseConflict(
            _("This rule set is %(state)s: only a draft is edited. Make a draft from it.")
            % {"state": _state(ruleset)},
            state=ruleset.state,
        )


@transaction.atomic
def ruleset_update(*, ruleset: RuleSet, **fields: Any) -> RuleSet:
    """Rename a draft or change its thresholds."""
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    editable(ruleset)
    return checked_save(ruleset, **fields)


@transaction.atomic
def ruleset_delete(*, ruleset: RuleSet) -> None:
    """A draft nobody published can go; every other version is part of the history."""
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)  # its state now
    editable(ruleset)
    ruleset.delete()


def make_live(*, ruleset: RuleSet, reason: str) -> RuleSet:
    """Make a draft (one in shadow too; or, to roll back, an archived version) the one that
    scores: the version it replaces is archived and the thresholds become the live ones, in
    the caller's transaction. Its rules' counters are to be rebuilt (``counted`` emptied)
    whatever the version held before: an archived version's were dropped by the recompute
    that replaced it. ``services.ruleset_publish`` runs the recompute."""
    live = _lock()
    ruleset = RuleSet.objects.get(pk=ruleset.pk)
    if ruleset.state not in (State.DRAFT, State.SHADOW, State.ARCHIVED):
        raise ReleaseConflict(
            _("This rule set is already %(state)s.") % {"state": _state(ruleset)},
            state=ruleset.state,
        )
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why this version is published.")]})
    replaced = _archive(RuleSet.published(), reason=reason)
    if ruleset.state == State.SHADOW:
        ruleset.shadow_until = replaced.archived_at
        shadow.builds_end(ruleset)
    ruleset.state, ruleset.reason, ruleset.published_at = (
        State.PUBLISHED,
        reason,
        replaced.archived_at,
    )
    ruleset.archived_at = None
    ruleset.save()
    for field in Thresholds.FIELDS:
        setattr(live, field, getattr(ruleset, field))
    live.save()
    ruleset.rules.update(counted="")
    return ruleset


@transaction.atomic
def shadow_start(*, ruleset: RuleSet, by: User | None, reason: str = "") -> ShadowJob:
    """Put a draft in shadow: it scores every contact beside the published version, and
    promotes no one, until it is published or stopped. One version at a time (each costs
    a second scoring of every event). The returned job scores everyone by it first."""
    _lock()
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.state != State.DRAFT:
        raise ReleaseConflict(
            _("This rule set is %(state)s: only a draft goes in shadow.")
            % {"state": _state(ruleset)},
            state=ruleset.state,
        )
    other = RuleSet.objects.filter(state=State.SHADOW).first()
    if other is not None:
        raise ReleaseConflict(
            _("“%(name)s” is in shadow already: stop it or publish it first.")
            % {"name": other.name},
            state=other.state,
        )
    shadow.parts_drop(ruleset)
    checked_save(
        ruleset,
        state=State.SHADOW,
        reason=reason or _("Shadow run"),
        shadow_since=timezone.now(),
        shadow_until=None,
    )
    return job_start(
        ShadowJob,
        task="scoring.tasks.build_shadow",
        waiting="the stalled-job sweep will start the shadow run",
        by=by,
        ruleset=ruleset,
    )


@transaction.atomic
def shadow_stop(*, ruleset: RuleSet, reason: str = "") -> RuleSet:
    """End a shadow run without publishing: the version is a draft again, to edit. What
    the run found stays readable (the comparison until the stop)."""
    _lock()
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.state != State.SHADOW:
        raise ReleaseConflict(
            _("This rule set is %(state)s, not in shadow.") % {"state": _state(ruleset)},
            state=ruleset.state,
        )
    shadow.builds_end(ruleset)
    shadow.counters_drop(ruleset)
    return checked_save(
        ruleset,
        state=State.DRAFT,
        reason=reason or _("Shadow run stopped"),
        shadow_until=timezone.now(),
    )


@contextmanager
def released(*, reason: str, by: User | None = None) -> Iterator[RuleSet]:
    """Around a change of the scoring rules or thresholds that names no version: the
    published version is kept as it was, archived, and the live rules (same ids) pass to
    a new published version, which the change then edits. Yields that version."""
    current = _open_release.get()
    if current is not None:
        yield current
        return
    with transaction.atomic():
        _lock()
        before = _archive(RuleSet.published(), reason=reason)
        after = RuleSet.objects.create(
            name=before.name,
            state=State.PUBLISHED,
            based_on=before,
            reason=reason,
            created_by=account(by),
            published_at=before.archived_at,
            **{field: getattr(before, field) for field in Thresholds.FIELDS},
        )
        live = Rule.all_versions.filter(pk__in=list(before.rules.values_list("pk", flat=True)))
        _copy_rules(live, before)  # what they were, before the change
        live.update(ruleset=after)
        token = _open_release.set(after)
        try:
            yield after
        finally:
            _open_release.reset(token)


def versions_scrub(values: list[str]) -> int:
    """After a person's erasure, the rules kept by past versions and drafts (a rule on their
    company, since deleted) keep their shape, not the person's name; the live rules are
    marketing's to change, through a release."""
    history = Rule.all_versions.exclude(ruleset__state=State.PUBLISHED)
    return scrub_rows(history, ["name", "value"], values)
