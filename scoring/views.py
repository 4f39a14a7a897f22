"""
The scoring pages: the rules and the thresholds (marketing and managers edit, everyone
reads), the recompute job's progress, and the two parts of a contact's page that come from
scoring: its score explained per rule, and its activities beside its stage moves.

Writes go through ``scoring.services``; every change to rules or thresholds starts a
recompute (``recompute_start``) so that past activity is scored the way new activity is, and
the page follows the job (htmx polls its row) until it is done.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leads.forms import add_service_errors
from leads.models import Contact, JobStatus
from leads.pages import contact_for, form_page, role_required
from leads.roles import Capability, has_role, holders
from leads.stages import MOVES, Move, Stage
from reporting.charts import Chart, Series

from . import selectors, services
from .conditions import ATTRIBUTES_PREFIX, describe
from .criterion import MqlCriterion
from .forms import EVENT_TYPES, PROFILE_ATTRIBUTES, RuleForm, ThresholdsForm
from .models import Dimension, RecomputeJob, Rule, RuleSet, RuleSetState, ScoringSettings

EDITORS = holders(Capability.EDIT_SCORING)


# --- Recompute ---------------------------------------------------------------------------


def start_recompute(request: HttpRequest, change: str) -> RecomputeJob:
    """Apply a change to every contact's score in the background, and say so."""
    job = services.recompute_start(by=request.user)
    if job.requested_by_id == request.user.pk and job.status == JobStatus.PENDING:
        messages.success(
            request, _("%(change)s Rescoring every contact now.") % {"change": change}
        )
    else:
        messages.warning(
            request,
            _(
                "%(change)s A recompute was already running: when it ends, run it again to "
                "apply this change to past activity."
            )
            % {"change": change},
        )
    return job


@require_GET
@role_required()
def recompute_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress bar; while it runs, the fragment asks for itself again."""
    job = get_object_or_404(selectors.recompute_job_list(), pk=pk)
    return render(request, "scoring/_recompute.html", {"job": job})


@require_POST
@role_required(*EDITORS)
def recompute(request: HttpRequest) -> HttpResponse:
    start_recompute(request, _("Scores will follow the current rules and thresholds."))
    back = "thresholds" if request.POST.get("next") == "thresholds" else "rule_list"
    return redirect(f"scoring:{back}")


# --- Rules -------------------------------------------------------------------------------


@role_required()
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every rule, per dimension, with what it matches and its points."""
    version = _shown_version(request)
    rules = list(version.rules.order_by("dimension", "-active", "-points", "pk"))
    for rule in rules:
        rule.condition = describe(rule)
    context = {
        "dimensions": [
            (dimension, [rule for rule in rules if rule.dimension == dimension])
            for dimension in Dimension
        ],
        "settings": ScoringSettings.load(),
        "job": selectors.latest_recompute_job(),
        "can_edit": has_role(request.user, *EDITORS),
        "version": version,
        "tab": "rules",
    }
    return render(request, "scoring/rules.html", context)


def _shown_version(request: HttpRequest) -> RuleSet:
    """The version whose rules the page lists: ``?ruleset=`` (a draft being prepared, an
    archived one), else the published one."""
    wanted = request.GET.get("ruleset", "")
    if wanted.isdigit():
        return get_object_or_404(RuleSet, pk=wanted)
    return RuleSet.published()


@role_required(*EDITORS)
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or change a rule; the services check its condition."""
    rule = get_object_or_404(Rule, pk=pk) if pk else None
    data = request.POST or None
    form = RuleForm.for_rule(rule, data) if rule else RuleForm(data)

    def save() -> Rule:
        if rule is None:
            return services.rule_create(**form.rule_fields())
        return services.rule_update(rule=rule, **form.rule_fields())

    def saved(saved: Rule) -> HttpResponse:
        if saved.ruleset.state == RuleSetState.DRAFT:  # scores nobody until published
            messages.success(
                request, _("Rule “%(name)s” saved in the draft.") % {"name": saved.name}
            )
            return redirect(f"{reverse('scoring:rule_list')}?ruleset={saved.ruleset_id}")
        start_recompute(request, _("Rule “%(name)s” saved.") % {"name": saved.name})
        return redirect("scoring:rule_list")

    context = {
        "rule": rule,
        "event_types": EVENT_TYPES,
        "attributes": [*PROFILE_ATTRIBUTES, "email_domain", f"{ATTRIBUTES_PREFIX}…", "url"],
    }
    return form_page(request, form, save, saved, "scoring/rule_form.html", context)


@require_GET
@role_required(*EDITORS)
def rule_preview(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """What the rule being typed would do once saved: scores up and down, new MQLs."""
    replaced = get_object_or_404(Rule, pk=pk) if pk else None
    form = RuleForm(request.GET)
    context: dict[str, Any] = {"form": form, "settings": ScoringSettings.load()}
    if form.is_valid():
        candidate = Rule(**form.rule_fields())
        try:
            candidate.clean()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            context["effect"] = selectors.rule_effect(
                candidate=candidate, replaced=replaced, now=timezone.now()
            )
    return render(
        request, "scoring/_rule_preview.html", context, status=400 if form.errors else 200
    )


@require_POST
@role_required(*EDITORS)
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Switch a rule on or off (its points leave or join the scores by the recompute)."""
    rule = get_object_or_404(Rule, pk=pk)
    services.rule_update(rule=rule, active=not rule.active)
    text = _("Rule “%(name)s” switched on.") if rule.active else _("Rule “%(name)s” switched off.")
    if rule.ruleset.state == RuleSetState.DRAFT:  # scores nobody until published
        messages.success(request, text % {"name": rule.name})
        return redirect(f"{reverse('scoring:rule_list')}?ruleset={rule.ruleset_id}")
    start_recompute(request, text % {"name": rule.name})
    return redirect("scoring:rule_list")


# --- Thresholds --------------------------------------------------------------------------


def mql_preview(candidate: dict[str, Any]) -> dict[str, int]:
    """How many contacts the candidate thresholds would promote, counted in one query from
    the stored figures, the way a recompute decides (``scoring.sql.raise_levels``): not yet
    marked above the MQL line, in a stage the move to MQL starts from (a recycled contact
    comes back only with a new engagement), and at or above every minimum."""
    line = MqlCriterion.of(candidate).q()
    sources = Q(stage__in=MOVES[Move.MARK_MQL].sources - {Stage.RECYCLED})
    unmarked = Q(score_parts__isnull=True) | Q(score_parts__mql=False)
    counts = {
        "mql": Count("pk", filter=line & sources & unmarked),
        "candidates": Count("pk", filter=sources),
    }
    hot = candidate.get("hot_threshold")
    if hot is not None:
        not_hot = Q(score_parts__isnull=True) | Q(score_parts__hot=False)
        counts["hot"] = Count("pk", filter=Q(score__gte=hot) & not_hot)
    return Contact.objects.active().aggregate(**counts)


def saved_thresholds() -> dict[str, Any]:
    settings = ScoringSettings.load()
    return {name: getattr(settings, name) for name in ThresholdsForm.Meta.fields}


@role_required()
def thresholds(request: HttpRequest) -> HttpResponse:
    """The thresholds; saving them rescores everyone (what the preview announced)."""
    can_edit = has_role(request.user, *EDITORS)
    if request.method == "POST" and not can_edit:
        raise PermissionDenied(_("Marketing and managers set the thresholds."))
    form = ThresholdsForm(request.POST or None, instance=ScoringSettings.load())
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            start_recompute(request, _("Thresholds saved."))
            return redirect("scoring:thresholds")
    context = {
        "form": form,
        "job": selectors.latest_recompute_job(),
        "preview": mql_preview(saved_thresholds()),
        "can_edit": can_edit,
        "tab": "thresholds",
    }
    return render(request, "scoring/thresholds.html", context, status=400 if form.errors else 200)


@require_GET
@role_required()
def thresholds_preview(request: HttpRequest) -> HttpResponse:
    """What the thresholds being typed would do, before anything is saved."""
    form = ThresholdsForm(request.GET, instance=ScoringSettings.load())
    if not form.is_valid():
        return render(request, "scoring/_preview.html", {"form": form}, status=400)
    context = {"preview": mql_preview(form.cleaned_data), "candidate": form.cleaned_data}
    return render(request, "scoring/_preview.html", context)


# --- A contact's score and activity ------------------------------------------------------


@require_GET
@role_required()
def contact_score(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact page's score panel: each rule that gave points, per dimension, and the
    score over time from the ledger."""
    contact = contact_for(request.user, pk)
    breakdown = selectors.score_breakdown(contact)
    history = selectors.score_history(contact)
    chart = Chart(
        key="score-history",
        title=_("Score over time"),
        labels=[date_format(localtime(at), "SHORT_DATETIME_FORMAT") for at, _total in history],
        series=[Series(_("Score"), [total for _at, total in history])],
        kind="line",
    )
    context = {"contact": contact, "score": breakdown, "history": chart if history else None}
    return render(request, "scoring/_score_panel.html", context)
