"""
The releases pages: every version of the scoring model, a draft's shadow run and what it
found, and the publish (or rollback) with the contacts it would make MQL shown first.
Writes go through ``scoring.releases`` and ``scoring.services``.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from leads.pages import role_required
from leads.roles import Capability, has_role, holders
from leads.stages import Stage
from reporting.charts import Chart, Series

from . import releases, selectors, services
from .comparison import shadow_comparison
from .models import RuleSet, RuleSetState

EDITORS = holders(Capability.EDIT_SCORING)


def _refused(request: HttpRequest, refused: Exception) -> None:
    messages.error(request, " ".join(getattr(refused, "messages", [str(refused)])))


def _attempt(request: HttpRequest, version: RuleSet, act: Callable[[], Any], done: str) -> bool:
    """Run one release service on ``version``: its refusal (a version in the wrong state, an
    empty reason) becomes the page's error, its success the message ``done``, which names
    the version as ``%(name)s``. True when it went through."""
    try:
        act()
    except (ValidationError, releases.ReleaseConflict) as refused:
        _refused(request, refused)
        return False
    messages.success(request, done % {"name": version.name})
    return True


@require_GET
@role_required()
def releases_page(request: HttpRequest) -> HttpResponse:
    """Every version of the scoring model, newest first: the one that scores, the drafts
    being prepared, the one in shadow and the archive a rollback publishes again."""
    context = {
        "versions": selectors.ruleset_list(),
        "job": selectors.latest_recompute_job(),
        "can_edit": has_role(request.user, *EDITORS),
        "tab": "releases",
    }
    return render(request, "scoring/releases.html", context)


@require_POST
@role_required(*EDITORS)
def release_draft(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("from", "")
    source = get_object_or_404(RuleSet, pk=wanted) if wanted.isdigit() else RuleSet.published()
    draft = releases.ruleset_draft(by=request.user, source=source)
    messages.success(
        request,
        _("Draft “%(name)s” made: change its rules, backtest it, then publish it.")
        % {"name": draft.name},
    )
    return redirect(f"{reverse('scoring:rule_list')}?ruleset={draft.pk}")


@require_http_methods(["GET", "POST"])
@role_required(*EDITORS)
def release_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft (or the version in shadow), or roll back to an archived version:
    first the contacts it would make MQL, then the publish with the reason given."""
    version = get_object_or_404(RuleSet, pk=pk)
    rollback = version.state == RuleSetState.ARCHIVED
    if request.method == "POST":
        done = _("“%(name)s” is back in use.") if rollback else _("“%(name)s” is published.")
        published = _attempt(
            request,
            version,
            lambda: services.ruleset_publish(
                ruleset=version, by=request.user, reason=request.POST.get("reason", "")
            ),
            f"{done} {_('Rescoring every contact now.')}",
        )
        if not published:
            return redirect("scoring:release_publish", pk=version.pk)
        return redirect("scoring:releases")
    context = {
        "version": version,
        "rollback": rollback,
        "preview": selectors.publish_preview(version),
        "tab": "releases",
    }
    return render(request, "scoring/release_publish.html", context)


@require_POST
@role_required(*EDITORS)
def release_delete(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(RuleSet, pk=pk)
    deleted = _("Draft “%(name)s” deleted.")
    _attempt(request, version, lambda: releases.ruleset_delete(ruleset=version), deleted)
    return redirect("scoring:releases")


@require_POST
@role_required(*EDITORS)
def release_shadow(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a draft in shadow; its comparison page follows the build."""
    version = get_object_or_404(RuleSet, pk=pk)
    started = _("“%(name)s” is in shadow: it scores every new event and promotes no one.")
    if _attempt(
        request, version, lambda: releases.shadow_start(ruleset=version, by=request.user), started
    ):
        return redirect("scoring:release_comparison", pk=version.pk)
    return redirect("scoring:releases")


@require_POST
@role_required(*EDITORS)
def release_stop_shadow(request: HttpRequest, pk: int) -> HttpResponse:
    version = get_object_or_404(RuleSet, pk=pk)
    stopped = _("“%(name)s” is a draft again: its findings stay.")
    _attempt(request, version, lambda: releases.shadow_stop(ruleset=version), stopped)
    return redirect("scoring:releases")


def _load_chart(load: list[dict[str, Any]]) -> Chart:
    return Chart(
        key="shadow-load",
        title=_("MQLs per rep"),
        labels=[row["name"] for row in load],
        series=[
            Series(_("Published set"), [row["published"] for row in load]),
            Series(_("Shadow"), [row["shadow"] for row in load]),
        ],
        horizontal=True,
    )


@require_GET
@role_required(*EDITORS)
def release_comparison(request: HttpRequest, pk: int) -> HttpResponse:
    """What a shadow run found, since it began: the MQLs each set made, the overlap, those
    only the shadow made and where they stand now, and the load per rep."""
    version = get_object_or_404(RuleSet, pk=pk)
    try:
        found = shadow_comparison(version)
    except releases.ReleaseConflict as refused:
        _refused(request, refused)
        return redirect("scoring:releases")
    stages = dict(Stage.choices)
    context = {
        "version": version,
        "found": found,
        "became": [(stages.get(stage, stage), n) for stage, n in found.only_shadow_became.items()],
        "load": _load_chart(found.load),
        "can_publish": version.state in (RuleSetState.SHADOW, RuleSetState.DRAFT),
        "tab": "releases",
    }
    return render(request, "scoring/release_comparison.html", context)
