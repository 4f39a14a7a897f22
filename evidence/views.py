"""
The evidence page, a tab beside the scoring rules: a backtest of the current rules against
an edited (or suggested) rule set, the signals that matter, and suggested points the
marketer reviews, edits and adopts.

Thin views over the API's pieces: the forms are checked by the API's serializers, the work
is ``evidence.services``'. Each analysis runs in the background; its section polls its row
(htmx) and shows the result in place when it is done. Marketing and managers only, as in
the API: reps get the 403 page.
"""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from leads.forms import add_service_errors
from leads.pages import role_required
from leads.roles import Capability, holders
from reporting.charts import Chart, Series
from scoring.conditions import describe
from scoring.models import Rule
from scoring.selectors import latest_recompute_job

from . import selectors, services
from .api.serializers import params_of
from .candidates import Thresholds, rule_from_json
from .conversion_signals import Family
from .forms import AdoptForm, BacktestForm, EvidenceForm, SignalsForm, SuggestionForm
from .models import Analysis, Kind, Status, Target

EDITORS = holders(Capability.EDIT_SCORING)


def _rules() -> list[Rule]:
    """The rules in force, each with its condition in words (as the rules page shows it)."""
    rules = list(Rule.objects.filter(active=True).order_by("dimension", "-points", "pk"))
    for rule in rules:
        rule.condition = describe(rule)
    return rules


def _shown(request: HttpRequest) -> dict[str, Analysis | None]:
    """The analysis each section shows: the one asked for (``?backtest=12``), else the
    newest of its kind."""
    shown = {}
    for kind in Kind:
        asked = request.GET.get(kind.value, "")
        found = (
            selectors.analysis_list().filter(kind=kind, pk=asked).first()
            if asked.isdigit()
            else None
        )
        shown[kind.value] = found or selectors.latest(kind)
    return shown


def _initial(analysis: Analysis | None) -> dict[str, Any]:
    """A form's values: what the shown analysis asked (so the form says what is shown)."""
    if analysis is None:
        return {}
    return {k: v for k, v in analysis.params.items() if isinstance(v, str | int | float)}


def _suggestion_done() -> Analysis | None:
    return selectors.analysis_list().filter(kind=Kind.SUGGESTION, status=Status.DONE).first()


def _backtest_form(data: Any = None, initial: dict | None = None) -> BacktestForm:
    return BacktestForm(
        data,
        initial=initial,
        rules=_rules(),
        thresholds=Thresholds.current(),
        suggestion=_suggestion_done(),
    )


def _page(
    request: HttpRequest, status: int = 200, **forms: EvidenceForm | AdoptForm
) -> HttpResponse:
    shown = _shown(request)
    if "adopt" in forms:  # the suggestion being adopted, with the marketer's edits
        shown[Kind.SUGGESTION.value] = cast(AdoptForm, forms["adopt"]).analysis
    suggested = shown[Kind.SUGGESTION.value]
    if "adopt" not in forms and suggested is not None and suggested.status == Status.DONE:
        forms["adopt"] = AdoptForm(suggestion=suggested)
    context = {
        "tab": "evidence",
        "can_edit": True,
        "job": latest_recompute_job(),
        "shown": {kind: present(analysis) for kind, analysis in shown.items()},
        "backtest_form": forms.get("backtest")
        or _backtest_form(initial=_initial(shown["backtest"])),
        "signals_form": forms.get("signals") or SignalsForm(initial=_initial(shown["signals"])),
        "suggestion_form": forms.get("suggestion")
        or SuggestionForm(initial=_initial(shown["suggestion"])),
        "adopt_form": forms.get("adopt"),
    }
    return render(request, "evidence/page.html", context, status=status)


@require_GET
@role_required(*EDITORS)
def page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _start(request: HttpRequest, kind: Kind, form: EvidenceForm) -> HttpResponse:
    checked = form.checked() if form.is_valid() else None
    if checked is None:
        return _page(request, status=400, **{kind.value: form})
    analysis = services.analysis_start(kind=kind, params=params_of(checked), by=request.user)
    return redirect(f"{reverse('evidence:page')}?{kind.value}={analysis.pk}#{kind.value}")


@require_POST
@role_required(*EDITORS)
def backtest(request: HttpRequest) -> HttpResponse:
    return _start(request, Kind.BACKTEST, _backtest_form(request.POST))


@require_POST
@role_required(*EDITORS)
def signals(request: HttpRequest) -> HttpResponse:
    return _start(request, Kind.SIGNALS, SignalsForm(request.POST))


@require_POST
@role_required(*EDITORS)
def suggestion(request: HttpRequest) -> HttpResponse:
    return _start(request, Kind.SUGGESTION, SuggestionForm(request.POST))


@require_GET
@role_required(*EDITORS)
def analysis(request: HttpRequest, pk: int) -> HttpResponse:
    """One section's result, or its progress bar, which asks for itself again while the
    analysis runs and is replaced by the result when it is done."""
    found = get_object_or_404(selectors.analysis_list(), pk=pk)
    context: dict[str, Any] = {"item": present(found)}
    if found.kind == Kind.SUGGESTION and found.status == Status.DONE:
        context["adopt_form"] = AdoptForm(suggestion=found)
    return render(request, "evidence/_analysis.html", context)


@require_POST
@role_required(*EDITORS)
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    """Review (a confirmation listing every change), then adopt: ordinary rules, a rescore."""
    found = get_object_or_404(
        selectors.analysis_list().filter(kind=Kind.SUGGESTION, status=Status.DONE), pk=pk
    )
    form = AdoptForm(request.POST, suggestion=found)
    checked = form.checked() if form.is_valid() else None
    if checked is None:
        return _page(request, status=400, adopt=form)
    if not form.cleaned_data["confirmed"]:
        return render(request, "evidence/adopt_confirm.html", _confirmation(found, form, checked))
    try:
        job = services.suggestion_adopt(analysis=found, by=request.user, **checked)
    except ValidationError as error:
        add_service_errors(form, error)
        return _page(request, status=400, adopt=form)
    rules = len(checked["rules"])
    if job.requested_by_id == request.user.pk and job.status == Status.PENDING:
        messages.success(
            request,
            ngettext(
                "%(count)d suggested rule adopted. Rescoring every contact now.",
                "%(count)d suggested rules adopted. Rescoring every contact now.",
                rules,
            )
            % {"count": rules},
        )
    else:
        messages.warning(
            request,
            ngettext(
                "%(count)d suggested rule adopted. A recompute was already running: when it "
                "ends, run it again to apply it to past activity.",
                "%(count)d suggested rules adopted. A recompute was already running: when it "
                "ends, run it again to apply them to past activity.",
                rules,
            )
            % {"count": rules},
        )
    return redirect("scoring:rule_list")


def _confirmation(found: Analysis, form: AdoptForm, checked: dict) -> dict[str, Any]:
    """What adopting will change, rule by rule, before anything is written."""
    current = {rule.pk: rule for rule in Rule.objects.all()}
    changes = []
    for fields in checked["rules"]:
        rule = rule_from_json(fields)
        before = current.get(fields.get("id"))
        changes.append(
            {
                "rule": rule,
                "condition": describe(rule),
                "before": before,
                "before_condition": describe(before) if before else "",
            }
        )
    kept = {fields.get("id") for fields in checked["rules"]}
    switched_off = (
        [rule for rule in current.values() if rule.active and rule.pk not in kept]
        if checked["replace_current"]
        else []
    )
    return {
        "analysis": found,
        "form": form,
        "changes": changes,
        "switched_off": switched_off,
        "settings": checked["settings"],
        "thresholds": Thresholds.current(),
    }


# --- What a section shows ---------------------------------------------------------------


def present(found: Analysis | None) -> dict[str, Any] | None:
    """An analysis as its template reads it: the result turned into rows and charts."""
    if found is None:
        return None
    item: dict[str, Any] = {"analysis": found, "kind": found.kind}
    if found.status == Status.DONE:
        item |= PRESENTERS[Kind(found.kind)](found.result or {})
    return item


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _difference(value: float | None, base: float | None, kind: str) -> str:
    """How a candidate differs from the current rules, in words and arrows (not colour):
    points of percentage for a rate, days for days, a share of the base for the rest."""
    if value is None or base is None:
        return ""
    if value == base:
        return "same"
    arrow = "↑" if value > base else "↓"
    gap = abs(value - base)
    if kind in ("rate", "auc"):
        return f"{arrow} {gap * 100:.1f} pts"
    if kind == "days":
        return f"{arrow} {gap:.1f} d"
    return f"{arrow} {gap / abs(base) * 100:.0f}%" if base else arrow


# Each line of the backtest's summary: its label, its figure in a column, how it reads.
BACKTEST_ROWS = (
    (_("MQLs in the period"), ("mqls",), "count"),
    (_("… that became SQL"), ("precision", "sql"), "rate"),
    (_("… that became QSO"), ("precision", "qso"), "rate"),
    (_("… that became clients"), ("precision", "client"), "rate"),
    (
        _("SQLs of the period handed over before sales took them"),
        ("recall", "sql", "rate"),
        "rate",
    ),
    (_("Clients handed over before sales took them"), ("recall", "client", "rate"), "rate"),
    (_("Median days gained on those clients"), ("recall", "client", "median_days_gained"), "days"),
    (_("MQLs per rep per week"), ("load", "per_rep_per_week"), "load"),
    (_("… in the busiest week"), ("load", "peak_week_per_rep"), "load"),
    (_("MQLs per rep per SLA window"), ("load", "per_rep_per_sla_window"), "load"),
)
SHOWN = {
    "count": _number,
    "rate": _percent,
    "days": lambda v: _number(v, 1),
    "load": lambda v: _number(v, 1),
    "auc": lambda v: _number(v, 3),
}


def _read(column: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        column = column[key]
    return column


def _backtest(result: dict[str, Any]) -> dict[str, Any]:
    """The summary (each candidate's change from the current rules in words), the months
    and a chart of the MQLs per month."""
    columns = result["columns"]
    rows = []
    for label, path, kind in BACKTEST_ROWS:
        values = [_read(column, path) for column in columns]
        cells = [
            {
                "text": SHOWN[kind](value),
                "change": _difference(value, values[1], kind) if n > 1 else "",
            }
            for n, value in enumerate(values)
        ]
        rows.append({"label": label, "cells": cells})
    months = [
        {
            "label": month["label"],
            "cells": [
                (
                    column["months"][n]["mqls"],
                    column["months"][n]["sql"],
                    column["months"][n]["client"],
                )
                for column in columns
            ],
        }
        for n, month in enumerate(columns[0]["months"])
    ]
    chart = Chart(
        key="backtest-mqls",
        title=gettext("MQLs per month"),
        labels=[month["label"] for month in columns[0]["months"]],
        series=[Series(c["name"], [m["mqls"] for m in c["months"]]) for c in columns],
    )
    return {"columns": columns, "rows": rows, "months": months, "chart": chart}


def _signals(result: dict[str, Any]) -> dict[str, Any]:
    target = result["target"]
    rows = [
        signal
        | {
            "rank": n + 1,
            "sql_cells": _comparison(signal["sql"]),
            "client_cells": _comparison(signal["client"]),
            "evidence": signal[target]["z"],
            "family_label": Family(signal["family"]).label,
        }
        for n, signal in enumerate(result["signals"])
    ]
    return {
        "rows": rows,
        "population": result["population"],
        "target": target,
        "min_support": result["min_support"],
    }


def _comparison(compared: dict[str, Any]) -> dict[str, str]:
    interval = compared["lift_interval"]
    return {
        "with": _percent(compared["rate_with"]),
        "without": _percent(compared["rate_without"]),
        "lift": "—" if compared["lift"] is None else f"×{compared['lift']:.2f}",
        "interval": f"{interval[0]:.2f}–{interval[1]:.2f}" if interval else "",
    }


def _suggestion(result: dict[str, Any]) -> dict[str, Any]:
    quality = result["quality"]
    rows = [
        {
            "label": label,
            "current": SHOWN[kind](quality["current"][key]),
            "suggested": SHOWN[kind](quality["suggested"][key]),
            "change": _difference(quality["suggested"][key], quality["current"][key], kind),
        }
        for label, key, kind in (
            (_("AUC of the score (0.5 is chance)"), "auc", "auc"),
            (_("Precision of the MQL test"), "precision", "rate"),
            (_("MQLs the test makes"), "flagged", "count"),
        )
    ]
    return {"quality_rows": rows, "result": result, "outcome": OUTCOMES[result["target"]]}


OUTCOMES = {Target.SQL: "reached SQL", Target.CLIENT: _("became clients")}
PRESENTERS = {Kind.BACKTEST: _backtest, Kind.SIGNALS: _signals, Kind.SUGGESTION: _suggestion}
