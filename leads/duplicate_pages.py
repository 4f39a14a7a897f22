"""The duplicates page: suspected pairs side by side, merge one into the other choosing
field by field, keep them apart, and the recent merges with their undo."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from . import duplicates, merging
from .errors import MergeConflict
from .filtersets import DuplicatePairFilterSet
from .models import Contact, DuplicatePair, DuplicateScan, JobStatus, Merge
from .pages import HtmxRequest, display_name, next_url, paginate, role_required, user_name
from .roles import Capability, holders

MERGERS = holders(Capability.EDIT_CONTACTS)
# The rows of the side-by-side table: (label, field), the choosable ones first.
COMPARED = (
    (_("E-mail"), "email"),
    (_("First name"), "first_name"),
    (_("Last name"), "last_name"),
    (_("Phone"), "phone"),
    (_("Company"), "company"),
    (_("Job title"), "job_title"),
    (_("Industry"), "industry"),
    (_("Country"), "country"),
    (_("Campaign"), "campaign"),
    (_("Owner"), "owner"),
)
SCORES = (("", _("Any score")), ("0.7", _("70 % and more")), ("0.9", _("90 % and more")))
PAGE = 20


@dataclass
class Row:
    """One field of a pair: each side's value, and whether the merger must choose."""

    label: str
    field: str
    first: Any
    second: Any

    @property
    def differs(self) -> bool:
        return (
            self.first not in (None, "")
            and self.second not in (None, "")
            and (str(self.first) != str(self.second))
        )


def _rows(pair: DuplicatePair) -> list[Row]:
    def shown(contact: Contact, field: str) -> Any:
        if field == "owner":
            return user_name(contact.owner)
        if field == "country":
            return str(getattr(contact.country, "name", "") or "")
        return getattr(contact, field) or ""

    return [
        Row(str(label), field, shown(pair.first, field), shown(pair.second, field))
        for label, field in COMPARED
    ]


def _open_pairs(request: HtmxRequest) -> tuple[DuplicatePairFilterSet, QuerySet[DuplicatePair]]:
    pairs = duplicates.open_pairs().select_related(
        "first__owner", "first__campaign", "second__owner", "second__campaign"
    )
    filterset = DuplicatePairFilterSet(request.GET, queryset=pairs)
    return filterset, filterset.qs


@role_required(*MERGERS)
def duplicate_list(request: HtmxRequest) -> HttpResponse:
    """The suggested pairs, most likely first, each side by side. Asked for one contact's
    (from its page's warning), its pairs are found again first: the page shows what the
    warning said, whatever changed since the last scan."""
    contact = request.GET.get("contact", "")
    if contact.isdecimal():
        duplicates.pairs_refresh([int(contact)])
    filterset, pairs = _open_pairs(request)
    page = paginate(request, pairs, PAGE)
    context = {
        "filterset": filterset,
        "page": page,
        "pairs": [(pair, _rows(pair), (pair.first, pair.second)) for pair in page.object_list],
        "scores": SCORES,
        "merges": Merge.objects.select_related("survivor", "other", "by")[:10],
        "undo_after": timezone.now() - merging.UNDO_WITHIN,
        "undo_days": merging.UNDO_WITHIN.days,
        "scan": DuplicateScan.objects.select_related("requested_by").first(),
    }
    return render(request, "leads/duplicates.html", context)


@require_POST
@role_required(*MERGERS)
def duplicate_scan_start(request: HtmxRequest) -> HttpResponse:
    """Compare every contact in the background; the page shows the scan's progress."""
    scan = duplicates.scan_start(by=request.user)
    if scan.requested_by_id == request.user.pk and scan.status == JobStatus.PENDING:
        messages.success(request, gettext("Comparing every contact now: pairs appear as it goes."))
    else:
        messages.info(request, gettext("A scan is already running: its progress is below."))
    return redirect("leads:duplicate_list")


@require_GET
@role_required(*MERGERS)
def duplicate_scan(request: HtmxRequest, pk: int) -> HttpResponse:
    """The scan's progress; while it runs, the fragment asks for itself again."""
    scan = get_object_or_404(DuplicateScan.objects.select_related("requested_by"), pk=pk)
    return render(request, "leads/_duplicate_scan.html", {"scan": scan})


def _back(request: HtmxRequest) -> HttpResponse:
    return redirect(next_url(request, reverse("leads:duplicate_list")))


@require_POST
@role_required(*MERGERS)
def duplicate_merge(request: HtmxRequest, pk: int) -> HttpResponse:
    """Merge the pair: ``survivor`` names the record kept; ``keep_<field>`` the record
    whose value a field keeps where both have one."""
    pair = get_object_or_404(DuplicatePair.objects.select_related("first", "second"), pk=pk)
    kept = pair.first if request.POST.get("survivor") != str(pair.second_id) else pair.second
    other = pair.second if kept is pair.first else pair.first
    choices = {
        field: "other"
        for _, field in COMPARED
        if field in merging.CHOOSABLE and request.POST.get(f"keep_{field}") == str(other.pk)
    }
    try:
        merging.contacts_merge(survivor=kept, other=other, by=request.user, fields=choices)
    except (MergeConflict, ValidationError) as error:
        messages.error(request, gettext("Not merged: %(error)s") % {"error": _text(error)})
        return _back(request)
    url = reverse("leads:contact_detail", args=[kept.pk])
    messages.success(
        request,
        format_html(
            gettext(
                '{} merged into <a href="{}">{}</a>. Undo it below within {} days if it was wrong.'
            ),
            display_name(other),
            url,
            display_name(kept),
            merging.UNDO_WITHIN.days,
        ),
    )
    return _back(request)


@require_POST
@role_required(*MERGERS)
def duplicate_dismiss(request: HtmxRequest, pk: int) -> HttpResponse:
    """Not the same person: the pair is not suggested again."""
    pair = duplicates.pairs_dismiss(get_object_or_404(DuplicatePair, pk=pk), by=request.user)
    messages.success(
        request,
        gettext("Kept apart: #%(first)s and #%(second)s are not suggested again.")
        % {"first": pair.first_id, "second": pair.second_id},
    )
    return _back(request)


@require_POST
@role_required(*MERGERS)
def merge_undo(request: HtmxRequest, pk: int) -> HttpResponse:
    merge = get_object_or_404(Merge, pk=pk)
    try:
        merging.merge_undo(merge=merge, by=request.user)
    except MergeConflict as error:
        messages.error(request, gettext("Not undone: %(error)s") % {"error": error})
    else:
        messages.success(
            request,
            gettext("Merge undone: #%(first)s and #%(second)s are two again.")
            % {"first": merge.survivor_id, "second": merge.other_id},
        )
    return _back(request)


def _text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
