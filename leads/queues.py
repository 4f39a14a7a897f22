"""The rows of the reps' queues: which actions each row offers, and the rows drawn alone for
an htmx swap (after a stage action, or a touch logged from the queue)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from . import services
from .actions import ACTIONS, Action
from .forms import REJECT_REASONS, sales_reps
from .models import Contact, LeadStatus
from .pages import HtmxRequest, user_name
from .roles import User

QUEUE_ACTIONS = ("claim", "accept", "reject", "assign")


def may(user: User, action: Action, contact: Contact) -> bool:
    """Whether to offer the action: the ``MOVES`` table and the services' own actor check,
    so a page shows exactly the buttons the service (and the API) would accept."""
    return services.can_move(user, contact, action.move)


def allowed_actions(user: User, contact: Contact, among: Iterable[str] = ACTIONS) -> list[str]:
    return [slug for slug in among if may(user, ACTIONS[slug], contact)]


@dataclass
class QueueRow:
    contact: Contact
    allowed: list[str] = field(default_factory=list)
    owner_options: str = ""  # the <option>s of the "give to" select, when it is offered

    @cached_property
    def url(self) -> str:
        """The contact page; its actions are at ``<url><action>/`` (leads/urls.py), so a
        row reverses one URL instead of one per button."""
        return reverse("leads:contact_detail", args=[self.contact.pk])


def owner_options(reps: list[tuple[str, str]], selected: int | None) -> str:
    """Built in Python, not in a template loop: a team queue page has 50 rows of every rep,
    and the template engine spent most of the page's time on them."""
    current = str(selected or "")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, " selected" if value == current else "", label) for value, label in reps),
    )


def queue_rows(user: User, contacts: Iterable[Contact]) -> list[QueueRow]:
    reps: list[tuple[str, str]] | None = None
    rows = []
    for contact in contacts:
        row = QueueRow(contact, allowed_actions(user, contact, QUEUE_ACTIONS))
        if "assign" in row.allowed:
            if reps is None:
                reps = [("", str(_("Shared queue")))] + [
                    (str(r.pk), user_name(r)) for r in sales_reps()
                ]
            row.owner_options = owner_options(reps, contact.owner_id)
        rows.append(row)
    return rows


def render_queue_rows(
    request: HtmxRequest, contacts: Iterable[Contact], status: int = 200
) -> HttpResponse:
    """Queue rows alone (an htmx swap), with the messages swapped in out of band."""
    context = {
        "rows": queue_rows(request.user, contacts),
        "back": request.htmx.current_url_abs_path or reverse("leads:my_queue"),
        "reject_reasons": REJECT_REASONS,
        "now": timezone.now(),
    }
    return render(request, "leads/_queue_rows.html", context, status=status)


def by_deadline(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Most urgent first: the earliest SLA deadline, then the oldest MQL."""
    return contacts.order_by(F("sla_due_at").asc(nulls_last=True), "mql_at", "pk")


def by_lead_status(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """Not yet reached first (new, then attempting, then connected), each by deadline."""
    rank = Case(
        *(When(lead_status=status, then=Value(i)) for i, status in enumerate(LeadStatus)),
        output_field=IntegerField(),
    )
    return contacts.order_by(rank, F("sla_due_at").asc(nulls_last=True), "mql_at", "pk")


def queue_counts(contacts: QuerySet[Contact], now: datetime) -> dict[str, int]:
    return contacts.aggregate(total=Count("pk"), overdue=Count("pk", filter=Q(sla_due_at__lt=now)))
