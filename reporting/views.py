"""
The managers' dashboard and the targets editor.

The dashboard page draws the filters and one empty panel per report; each panel fetches its
own fragment (htmx, on load), so the page shows at once and the reports run side by side.
Every figure comes from the same selectors as ``/api/v1/reports/``, with the filters parsed
by the API's own serializer, and each panel links to that report as CSV.

A chart is a ``Chart``: built here, drawn by Chart.js (``static/js/charts.js``), and given
with its data table, so the numbers read without colours and without JavaScript.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_stubs_ext import StrOrPromise

from leadfunnel.money import money
from leads.pages import contact_for, paginate, role_required
from leads.roles import Capability, can, holders
from leads.stages import FUNNEL, Stage
from sla.selectors import mql_sla_hours

from . import selectors
from .aggregates import sorts_in_memory
from .charts import Chart, Series, percent
from .forms import SOURCES, DashboardFilterForm, TargetForm
from .models import Target
from .periods import month_start
from .roles import REPORT_READERS
from .selectors import GroupBy
from .selectors.attribution import Attribution, contact_credit
from .selectors.funnel import COUNTED, STEPS, FunnelLine, FunnelReport
from .selectors.response_time import BAND_LABELS
from .selectors.scope import Team
from .selectors.targets import TargetLine
from .selectors.velocity import VelocityLine

PLURAL = {
    Stage.CONTACT: gettext_lazy("Contacts"),
    Stage.LEAD: gettext_lazy("Leads"),
    Stage.MQL: gettext_lazy("MQLs"),
    Stage.SQL: gettext_lazy("SQLs"),
    Stage.QSO: gettext_lazy("QSOs"),
    Stage.CLIENT: gettext_lazy("Clients"),
}
SOURCE_STEPS = [step for step in STEPS if step.source != Stage.CONTACT]
COSTED = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.CLIENT)


def of(stage: Stage) -> str:
    """ "of leads", "of MQLs": acronyms keep their capitals."""
    plural = str(PLURAL[stage])
    return plural if stage in (Stage.MQL, Stage.SQL, Stage.QSO) else plural.lower()


def step_label(step) -> str:
    return f"{step.source.label} → {step.target.label}"


def cost_per(stage: Stage) -> str:
    """ "Cost per MQL", « Coût par MQL »."""
    return _("Cost per %(stage)s") % {"stage": stage.label}


# --- Panels: one report each, drawn as charts --------------------------------------------


def funnel_panel(form: DashboardFilterForm) -> dict[str, Any]:
    """How many reached each stage, and what share of the previous stage got there."""
    report = selectors.funnel_report(period=form.period, mode=form.report_mode, scope=form.scope)
    total = report.total
    notes = [""] + [
        _("%(rate)s of %(stage)s")
        % {"rate": percent(total.rates[f"{a.value}_to_{b.value}"]), "stage": of(a)}
        for a, b in zip(COUNTED, COUNTED[1:], strict=False)
    ]
    chart = Chart(
        "funnel",
        _("Contacts that reached each stage"),
        [str(PLURAL[stage]) for stage in COUNTED],
        [Series(_("Reached"), [total.counts[stage] for stage in COUNTED], notes)],
        horizontal=True,
    )
    return {
        "report": report,
        "kpis": kpis(report),
        "charts": [chart],
        "csv": ("report-funnel", {}),
    }


def kpis(report: FunnelReport) -> list[dict[str, str]]:
    """The headline figures above the charts."""
    total = report.total

    def cost(stage: Stage) -> dict[str, str]:
        amount = total.cost[stage.value]
        if amount is None:
            return {"label": cost_per(stage), "value": "—"}
        return {
            "label": cost_per(stage),
            "value": money(amount, total.currency or "", cents=amount < 100),
        }

    return [
        {"label": str(PLURAL[Stage.LEAD]), "value": floatformat(total.counts[Stage.LEAD], "g")},
        {"label": str(PLURAL[Stage.MQL]), "value": floatformat(total.counts[Stage.MQL], "g")},
        {
            "label": str(PLURAL[Stage.CLIENT]),
            "value": floatformat(total.counts[Stage.CLIENT], "g"),
        },
        {"label": _("Lead → client"), "value": percent(total.rates["lead_to_client"])},
        cost(Stage.MQL),
        cost(Stage.CLIENT),
    ]


def sources_panel(form: DashboardFilterForm) -> dict[str, Any]:
    """Conversion and cost per campaign or channel: what each source really brings."""
    report = selectors.funnel_report(
        period=form.period,
        mode=form.report_mode,
        group_by=form.sources_by,
        scope=form.scope,
        attribution=form.credit_model,
    )
    groups = [line for line in report.groups if line.counts[Stage.LEAD]]
    conversion = Chart(
        "conversion",
        _("Conversion by %(source)s") % {"source": SOURCES[form.sources_by].lower()},
        [line.label for line in groups],
        [
            Series(step_label(step), [line.rates[step.name] for line in groups])
            for step in SOURCE_STEPS
            if step.target in (Stage.MQL, Stage.SQL) or step.source == Stage.LEAD
        ],
        unit="percent",
        horizontal=True,
    )
    return {
        "report": report,
        "charts": [conversion, cost_chart(form, groups)],
        "csv": ("report-funnel", {"group_by": form.sources_by.value, **_model_of(form)}),
        "by": SOURCES[form.sources_by].lower(),
    }


def _model_of(form: DashboardFilterForm) -> dict[str, str]:
    """The attribution in a link, when it is not the default first touch."""
    model = form.credit_model
    return {} if model == Attribution.FIRST else {"attribution": model.value}


def cost_chart(form: DashboardFilterForm, groups: list[FunnelLine]) -> Chart:
    """Spend over what it brought, per stage. Only the groups with spend in one currency
    (the most common) can share an axis; the others stay in the CSV."""
    costed = [line for line in groups if line.spend is not None]
    currencies = [line.currency for line in costed]
    currency = max(set(currencies), key=currencies.count) if currencies else ""
    costed = [line for line in costed if line.currency == currency]
    return Chart(
        "cost",
        _("Cost per stage by %(source)s") % {"source": SOURCES[form.sources_by].lower()}
        + ("" if form.credit_model == Attribution.FIRST else f" ({form.credit_model.label})"),
        [line.label for line in costed],
        [Series(cost_per(stage), [line.cost[stage.value] for line in costed]) for stage in COSTED],
        unit="money",
        currency=currency or "",
        horizontal=True,
    )


def trends_panel(form: DashboardFilterForm) -> dict[str, Any]:
    """Each conversion rate month by month: a falling line points at the team that owns it."""
    report = selectors.trends_report(period=form.period, mode=form.report_mode, scope=form.scope)
    steps = [step for step in SOURCE_STEPS if step.team != Team.BOTH]
    chart = Chart(
        "trends",
        _("Conversion rates by month"),
        [month.label for month in report.months],
        [
            Series(
                f"{step_label(step)} ({step.team.label.lower()})",
                [month.rates[step.name] for month in report.months],
            )
            for step in steps
        ],
        unit="percent",
        kind="line",
    )
    volumes = Chart(
        "volumes",
        _("Contacts reaching each stage by month"),
        [month.label for month in report.months],
        [
            Series(str(PLURAL[stage]), [month.counts[stage.value] for month in report.months])
            for stage in (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.CLIENT)
        ],
        kind="line",
    )
    return {"report": report, "charts": [volumes, chart], "csv": ("report-trends", {})}


def targets_panel(form: DashboardFilterForm) -> dict[str, Any]:
    """The goals of the month in focus against what came in, and the pace to reach them."""
    report = selectors.targets_report(period=form.period)
    lines = report.targets
    focus = focus_month(lines)
    in_order = sorted(lines, key=lambda line: FUNNEL.index(Stage(line.stage)))
    shown = [line for line in in_order if line.month == focus]
    chart = Chart(
        "targets",
        _("Targets for %(month)s") % {"month": date_format(focus, "YEAR_MONTH_FORMAT")}
        if focus
        else _("Targets"),
        [str(Stage(line.stage).label) for line in shown],
        [
            Series(
                _("Actual"),
                [line.actual for line in shown],
                [pace(line) for line in shown],
                tone="actual",
            ),
            Series(
                _("Expected by now"), [line.expected_to_date for line in shown], tone="expected"
            ),
            Series(_("Goal"), [line.goal for line in shown], tone="goal"),
        ],
        horizontal=True,
    )
    others = sorted(
        (line for line in lines if line.month != focus),
        key=lambda line: (line.month, FUNNEL.index(Stage(line.stage))),
        reverse=True,
    )
    return {
        "charts": [chart],
        "focus": [(line, Stage(line.stage).label, pace(line)) for line in shown],
        "others": [(line, Stage(line.stage).label) for line in others],
        "csv": ("report-targets", {}),
    }


def focus_month(lines: list[TargetLine]):
    """This month when it has targets in the range, else the latest month that has some."""
    months = {line.month for line in lines}
    this_month = month_start(timezone.localdate())
    return this_month if this_month in months else max(months, default=None)


def pace(line: TargetLine) -> str:
    """The target's state in words: reached, on track, or what each remaining day needs."""
    if line.actual >= line.goal:
        return _("goal reached")
    if line.elapsed >= 1:
        return _("missed by %(gap)s") % {"gap": line.gap}
    if line.elapsed == 0:
        return _("not started")
    if line.on_track:
        return _("on track for %(projected)s") % {"projected": floatformat(line.projected, 0)}
    return _("behind: needs %(per_day)s a day") % {
        "per_day": floatformat(line.needed_per_day, "-1")
    }


def sla_panel(form: DashboardFilterForm) -> dict[str, Any]:
    """Whether sales keep the SLA, per rep: who answered in time, and the median wait."""
    sla_hours = mql_sla_hours()
    report = selectors.velocity_report(
        period=form.period, sla_hours=sla_hours, group_by=GroupBy.OWNER, scope=form.scope
    )
    lines = [report.total, *(line for line in report.groups if line.sla.handed_off)]
    report.total.label = _("Whole team")
    compliance = Chart(
        "sla",
        _("MQLs handed to each rep, by what happened against the SLA"),
        [line.label for line in lines],
        [
            Series(
                _("In time"),
                [line.sla.in_time for line in lines],
                [
                    _("%(share)s in time") % {"share": percent(line.sla.share_within_sla)}
                    for line in lines
                ],
                tone="in_time",
            ),
            Series(_("Late"), [line.sla.late for line in lines], tone="late"),
            Series(_("Overdue"), [line.sla.overdue for line in lines], tone="overdue"),
            Series(
                _("Still within the SLA"), [line.sla.pending for line in lines], tone="pending"
            ),
        ],
        horizontal=True,
        stacked=True,
    )
    waits = [line for line in lines if line.first_action.median_hours is not None]
    wait = Chart(
        "wait",
        _("Median wait for a first sales action, against the SLA"),
        [line.label for line in waits],
        [
            Series(
                _("Median wait"),
                [line.first_action.median_hours for line in waits],
                [verdict(line) for line in waits],
            )
        ],
        unit="hours",
        horizontal=True,
        rule=(sla_hours, _("SLA %(hours)s h") % {"hours": floatformat(sla_hours, "-1")}),
    )
    return {
        "report": report,
        "charts": [compliance, wait],
        "sla_hours": sla_hours,
        "csv": ("report-velocity", {"group_by": GroupBy.OWNER.value}),
    }


def verdict(line: VelocityLine) -> str:
    return _("within the SLA") if line.verdict == "within_sla" else _("over the SLA")


def speed_panel(form: DashboardFilterForm) -> dict[str, Any]:
    """Speed to lead: how fast reps first touch their MQLs, whether speed pays (the SQL rate
    per band), and the reps by median response."""
    report = selectors.response_time_report(
        period=form.period, group_by=GroupBy.OWNER, scope=form.scope
    )
    total = report.total
    bands = Chart(
        "speed",
        _("MQL hand-offs by time to the first touch"),
        [str(label) for label in BAND_LABELS.values()],
        [
            Series(
                _("Hand-offs"),
                [total.bands[key].count for key in BAND_LABELS],
                [
                    _("%(share)s reached SQL") % {"share": percent(total.bands[key].sql_rate)}
                    for key in BAND_LABELS
                ],
            )
        ],
    )
    pays = Chart(
        "speed_pays",
        _("Share that reached SQL, by time to the first touch"),
        [str(label) for label in BAND_LABELS.values()],
        [Series(_("Reached SQL"), [total.bands[key].sql_rate for key in BAND_LABELS])],
        unit="percent",
    )
    return {
        "report": report,
        "charts": [bands, pays],
        "leaders": selectors.leaderboard(report),
        "csv": ("report-response-time", {"group_by": GroupBy.OWNER.value}),
    }


# In page order: the two halves of the first row, then one full-width row each.
PANELS: dict[str, tuple[StrOrPromise, Callable[[DashboardFilterForm], dict[str, Any]]]] = {
    "funnel": (gettext_lazy("Funnel"), funnel_panel),
    "targets": (gettext_lazy("Targets"), targets_panel),
    "sources": (gettext_lazy("Sources"), sources_panel),
    "trends": (gettext_lazy("Monthly trends"), trends_panel),
    "sla": (gettext_lazy("SLA compliance"), sla_panel),
    "speed": (gettext_lazy("Speed to lead"), speed_panel),
}


# --- Pages -------------------------------------------------------------------------------


@require_GET
@role_required(*REPORT_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    form = DashboardFilterForm(request.GET)
    context: dict[str, Any] = {
        "form": form,
        "panels": [],
        "is_manager": can(request.user, Capability.MANAGE_TEAM),
    }
    if form.is_valid():
        query = form.query(by=form.sources_by.value, **_model_of(form))
        context["panels"] = [
            {
                "name": name,
                "title": title,
                "url": f"{reverse('reporting:panel', args=[name])}?{query}",
            }
            for name, (title, _) in PANELS.items()
        ]
        context["period"] = form.period
    return render(
        request, "reporting/dashboard.html", context, status=200 if form.is_valid() else 400
    )


@require_GET
@role_required(*REPORT_READERS)
def panel(request: HttpRequest, name: str) -> HttpResponse:
    """One panel of the dashboard (the fragment its placeholder loads)."""
    if name not in PANELS:
        return render(request, "reporting/panels/_error.html", status=404)
    form = DashboardFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "reporting/panels/_error.html", {"form": form}, status=400)
    title, build = PANELS[name]
    with sorts_in_memory():
        context = build(form)
    url, extra = context["csv"]
    context |= {
        "title": title,
        "form": form,
        "csv_url": f"{reverse(url)}?{form.query(**extra, format='csv')}",
        "name": name,
        "is_manager": can(request.user, Capability.MANAGE_TEAM),
    }
    return render(request, f"reporting/panels/{name}.html", context)


# --- Targets -----------------------------------------------------------------------------


@role_required(*holders(Capability.MANAGE_TEAM))
def target_list(request: HttpRequest) -> HttpResponse:
    """Every monthly goal, newest month first, with a form to add one."""
    targets = Target.objects.order_by("-month", "stage", "pk")
    form = TargetForm(initial={"month": month_start(timezone.localdate())})
    context = {"page": paginate(request, targets), "form": form}
    return render(request, "reporting/targets.html", context)


@role_required(*holders(Capability.MANAGE_TEAM))
def target_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or change a goal; plain CRUD, as the API's viewset does."""
    target = get_object_or_404(Target, pk=pk) if pk else None
    form = TargetForm(request.POST or None, instance=target)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        if target is None:
            saved.created_by = request.user
        saved.save()
        messages.success(
            request,
            _("Target saved: %(goal)s %(stage)s in %(month)s.")
            % {
                "goal": saved.goal,
                "stage": PLURAL[Stage(saved.stage)],
                "month": date_format(saved.month, "YEAR_MONTH_FORMAT"),
            },
        )
        return redirect("reporting:target_list")
    context = {"form": form, "target": target}
    status = 400 if form.errors else 200
    return render(request, "reporting/target_form.html", context, status=status)


@require_POST
@role_required(*holders(Capability.MANAGE_TEAM))
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(Target, pk=pk)
    target.delete()
    messages.success(
        request,
        _("Target for %(month)s (%(stage)s) deleted.")
        % {
            "month": date_format(target.month, "YEAR_MONTH_FORMAT"),
            "stage": target.get_stage_display(),
        },
    )
    return redirect("reporting:target_list")


@require_GET
@role_required()
def contact_touches(request: HttpRequest, pk: int) -> HttpResponse:
    """The contact page's touches: each campaign that reached the person, in order, and the
    credit each attribution model gives it for the furthest stage they reached."""
    contact = contact_for(request.user, pk)
    context = {"contact": contact, "credit": contact_credit(contact), "models": list(Attribution)}
    return render(request, "reporting/_contact_touches.html", context)
