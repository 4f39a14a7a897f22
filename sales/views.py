"""
The sales pages: a contact's one timeline, the quick log and the tasks beside it, a touch
logged from a queue row, and the rep's tasks due today. Writes go through
``sales.services``; what it refuses comes back on the form (400) or as a message.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from leads.forms import add_service_errors
from leads.models import Contact
from leads.pages import HtmxRequest, contact_for, display_name, next_url, role_required, timeline
from leads.queues import render_queue_rows
from scoring.selectors import timeline_events

from . import selectors, services
from .forms import ActivityForm, TaskForm
from .models import ActivityKind, TaskKind

TIMELINE_LENGTH = 100  # of each kind of entry: a long history shows its latest part


@dataclass(frozen=True)
class Entry:
    """One line of a contact's timeline: a stage move, a marketing event, a sales activity
    or a task, at the moment it happened (a task: when done, else when due)."""

    type: str
    at: datetime
    item: Any


SHOW = {
    "all": "Everything",
    "call": "Calls",
    "email": "E-mails",
    "meeting": "Meetings",
    "note": "Notes",
    "task": "Tasks",
    "move": _("Stage moves"),
    "event": _("Marketing events"),
}


def _entries(contact: Contact, show: str) -> tuple[list[Entry], bool]:
    """The entries ``show`` asks for, newest first, and whether older ones were left out."""
    entries: list[Entry] = []
    if show in ("all", "move"):
        entries += [Entry("move", move.at, move) for move in timeline(contact)]
    if show in ("all", "event"):
        entries += [
            Entry("event", e.occurred_at, e) for e in timeline_events(contact, TIMELINE_LENGTH)
        ]
    if show == "all" or show in ActivityKind.values:
        kinds = ActivityKind.values if show == "all" else [show]
        activities = selectors.timeline_activities(contact, TIMELINE_LENGTH, kinds=kinds)
        entries += [Entry("activity", a.occurred_at, a) for a in activities]
    if show in ("all", "task"):
        tasks = contact.sales_tasks.select_related("owner").order_by("-due_at")[:TIMELINE_LENGTH]
        entries += [Entry("task", t.done_at or t.due_at, t) for t in tasks]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[: TIMELINE_LENGTH * 2], len(entries) > TIMELINE_LENGTH * 2


@require_GET
@role_required()
def contact_timeline(request: HtmxRequest, pk: int) -> HttpResponse:
    """The contact's stage moves, marketing events, sales activities and tasks in one time
    line, newest first, filtered by kind (``?show=call``)."""
    contact = contact_for(request.user, pk)
    show = request.GET.get("show", "all")
    show = show if show in SHOW else "all"
    entries, more = _entries(contact, show)
    context = {"contact": contact, "entries": entries, "more": more, "show": show, "SHOW": SHOW}
    return render(request, "sales/_timeline.html", context)


def _panel(
    request: HtmxRequest,
    contact: Contact,
    *,
    log: ActivityForm | None = None,
    task: TaskForm | None = None,
    offer: str = "",
    status: int = 200,
) -> HttpResponse:
    """The panel; ``offer`` names the kind of activity its quick log starts with."""
    kind = offer if offer in ActivityKind.values else ""
    context = {
        "contact": contact,
        "log_form": log or ActivityForm(initial={"kind": kind} if kind else None),
        "task_form": task or TaskForm(),
        "may_log": services.may_log(request.user, contact, ActivityKind.CALL),
        "may_note": services.may_log(request.user, contact, ActivityKind.NOTE),
        "tasks": contact.sales_tasks.open().select_related("owner").order_by("due_at"),
        "now": timezone.now(),
    }
    response = render(request, "sales/_panel.html", context, status=status)
    if status == 200 and request.method == "POST":
        response["HX-Trigger"] = "timeline-changed"  # the timeline beside it reloads
    return response


@require_GET
@role_required()
def contact_panel(request: HtmxRequest, pk: int) -> HttpResponse:
    """The contact page's quick log and open tasks."""
    return _panel(request, contact_for(request.user, pk), offer=request.GET.get("log", ""))


def _back(request: HtmxRequest, contact: Contact) -> HttpResponse:
    return redirect(next_url(request, reverse("leads:contact_detail", args=[contact.pk])))


@require_POST
@role_required()
def activity_log(request: HtmxRequest, pk: int) -> HttpResponse:
    """Log a call, e-mail, meeting or note: from the contact page's quick log (its panel
    comes back), or from a queue row (``row``: the row comes back, redrawn, its lead status
    and deadline as the touch left them)."""
    contact = contact_for(request.user, pk)
    form = ActivityForm(request.POST)
    failed = _("Could not log on %(name)s") % {"name": display_name(contact)}
    try:
        if form.is_valid():
            services.activities_log(
                by=request.user, entries=[{"contact": contact, **form.entry()}]
            )
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        if not request.htmx:
            raise
        messages.error(request, f"{failed}: {error}")
        return _after_log(request, contact, form, status=403)
    if form.errors:
        if request.POST.get("row") or not request.htmx:
            errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
            messages.error(request, f"{failed}: {errors}")
        return _after_log(request, contact, form, status=400)
    kind = ActivityKind(form.cleaned_data["kind"]).label
    messages.success(
        request, _("%(kind)s logged on %(name)s.") % {"kind": kind, "name": display_name(contact)}
    )
    return _after_log(request, contact, None, status=200)


def _after_log(
    request: HtmxRequest, contact: Contact, form: ActivityForm | None, *, status: int
) -> HttpResponse:
    contact.refresh_from_db()
    if request.htmx and request.POST.get("row"):
        return render_queue_rows(request, [contact], status=status)
    if request.htmx:
        return _panel(request, contact, log=form, status=status)
    return _back(request, contact)


@require_POST
@role_required()
def task_create(request: HtmxRequest, pk: int) -> HttpResponse:
    """Plan the next touch from the contact page."""
    contact = contact_for(request.user, pk)
    form = TaskForm(request.POST)
    try:
        if form.is_valid():
            services.task_create(by=request.user, contact=contact, **form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
    if form.errors:
        return _panel(request, contact, task=form, status=400)
    messages.success(
        request, _("Task planned: %(title)s.") % {"title": form.cleaned_data["title"]}
    )
    if not request.htmx:
        return _back(request, contact)
    return _panel(request, contact)


@require_POST
@role_required()
def task_complete(request: HtmxRequest, pk: int) -> HttpResponse:
    """Mark a task done. A call or e-mail task then offers its quick log, ready to fill."""
    task = get_object_or_404(selectors.tasks_visible_to(request.user), pk=pk)
    services.task_complete(task=task, by=request.user)
    messages.success(request, _("Done: %(title)s.") % {"title": task.title})
    offer = task.kind if task.kind in (TaskKind.CALL, TaskKind.EMAIL) else ""
    if offer:
        messages.info(
            request, _("Log the %(kind)s below.") % {"kind": task.get_kind_display().lower()}
        )
    if request.htmx and not request.POST.get("next"):
        return _panel(request, task.contact, offer=offer)
    contact_url = reverse("leads:contact_detail", args=[task.contact_id])
    if offer:
        return redirect(f"{contact_url}?log={offer}#log")
    return redirect(next_url(request, contact_url))


@require_GET
@role_required()
def my_tasks(request: HtmxRequest) -> HttpResponse:
    """The rep queue's panel: open tasks due today, the overdue first."""
    now = timezone.now()
    tasks = selectors.tasks_due_today(request.user, now)
    context = {"tasks": tasks[:50], "count": tasks.count(), "now": now}
    return render(request, "sales/_my_tasks.html", context)
