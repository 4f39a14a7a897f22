"""
The browser pages of the core: contacts, the reps' queues, campaigns and the definitions.

Thin views over the same pieces as the API, so a page and an endpoint never disagree: reads
go through ``Contact.objects.visible_to`` and ``ContactFilterSet``, writes through
``leads.services``. A service's ``StageConflict`` becomes an error message (the API's 409),
its ``ValidationError`` errors on the form (400), its ``PermissionDenied`` the 403 page.
"""

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_stubs_ext import StrOrPromise

from . import duplicates, services
from .actions import ACTIONS, Action
from .api.permissions import CONTACT_EDITORS
from .duplicates import Candidate
from .errors import DuplicateContact, StageConflict
from .filtersets import CampaignFilterSet, ContactFilterSet
from .forms import (
    REJECT_REASONS,
    BulkActionForm,
    CampaignForm,
    ContactForm,
    DefinitionForm,
    add_service_errors,
    sales_reps,
)
from .models import Campaign, Channel, Contact, Definition
from .pages import (
    Column,
    HtmxRequest,
    contact_for,
    display_name,
    form_page,
    money,
    next_url,
    paginate,
    role_required,
    timeline,
    user_name,
    wants_fragment,
)
from .queues import (
    allowed_actions,
    by_deadline,
    by_lead_status,
    queue_counts,
    queue_rows,
    render_queue_rows,
)
from .roles import Account, Capability, can, has_role, holders
from .stages import FUNNEL, MOVES, Move, Stage

# --- Stage actions ---------------------------------------------------------------------


def conflict_reason(exc: StageConflict) -> str:
    """Why the move did not fit; pages phrase the first half of the sentence themselves."""
    return exc.why


def perform(request: HtmxRequest, action: Action, contact: Contact, form: forms.Form) -> int:
    """Run the action's service and tell the user how it went (a message, or errors on the
    form); return the status the API would answer."""
    failed = _("Could not %(action)s") % {"action": action.verb.format(name=display_name(contact))}
    try:
        if form.is_valid():
            action.service(contact=contact, by=request.user, **form.cleaned_data)
    except StageConflict as exc:
        messages.error(request, f"{failed}: {conflict_reason(exc)}.")
        return 409
    except ValidationError as exc:
        add_service_errors(form, exc)
    except PermissionDenied as exc:
        if not request.htmx:
            raise
        messages.error(request, f"{failed}: {exc}")
        return 403
    if form.errors:
        if request.htmx:  # a queue row has no room for the form: say it in a message
            errors = " ".join(str(error) for errors in form.errors.values() for error in errors)
            messages.error(request, f"{failed}: {errors}")
        return 400
    contact.refresh_from_db()  # the service moved it; reload its owner for the message
    facts = {
        "name": display_name(contact),
        "stage": contact.get_stage_display(),
        "owner": user_name(contact.owner) or _("the shared queue"),
        "budget": money(contact.budget, contact.currency),
        "amount": money(contact.won_amount, contact.currency),
    }
    messages.success(request, action.done.format(**facts))
    return 200


@require_POST
@role_required()
@vary_on_headers("HX-Request")
def contact_action(request: HtmxRequest, pk: int, action: str) -> HttpResponse:
    """One stage action from the contact page (a form) or a queue row (htmx: the row comes
    back, redrawn, with the message)."""
    if action not in ACTIONS:
        raise Http404(_("No such action."))
    spec = ACTIONS[action]
    contact = contact_for(request.user, pk)
    form = spec.new_form(request.POST)
    status = perform(request, spec, contact, form)
    if request.htmx:
        contact.refresh_from_db()  # the row as it is now (after a 409: as someone left it)
        return render_queue_rows(request, [contact], status=status)
    if status == 400:
        return render_contact(request, contact, failed=(spec.slug, form), status=400)
    return redirect(next_url(request, reverse("leads:contact_detail", args=[contact.pk])))


# --- Contacts --------------------------------------------------------------------------


CONTACT_COLUMNS = (
    Column("Name", "last_name"),
    Column("Company", "company", css="hide-sm"),
    Column("Stage"),
    Column("Score", "score", descending_first=True, css="num"),
    Column("Owner", css="hide-sm"),
    Column("Campaign", css="hide-md"),
    Column("Created", "created_at", descending_first=True, css="hide-sm"),
    Column(_("SLA due"), "sla_due_at"),
)


@role_required()
@vary_on_headers("HX-Request")
def contact_list(request: HtmxRequest) -> HttpResponse:
    """Every filter of the API's contact list, its sort and pagination, and bulk actions."""
    visible = Contact.objects.visible_to(request.user).select_related("owner", "campaign")
    filterset = ContactFilterSet(request.GET, queryset=visible, request=request)
    contacts = filterset.qs
    if contacts.query.order_by:
        contacts = contacts.order_by(*contacts.query.order_by, "-pk")  # stable pages
    ordering = request.GET.get("ordering", "")
    filters = request.GET.copy()
    filters.pop("page", None)
    context = {
        "filterset": filterset,
        "filters_query": filters.urlencode(),  # the CSV export of the same list
        "page": paginate(request, contacts),
        "columns": [(column, column.sort(ordering)) for column in CONTACT_COLUMNS],
        "stages": Stage.choices,
        "channels": Channel.choices,
        "campaigns": Campaign.objects.order_by("name").only("pk", "name"),
        "reps": sales_reps(),
        "can_bulk": has_role(request.user, *CONTACT_EDITORS),
        "can_assign": has_role(request.user, *MOVES[Move.ASSIGN].roles),
        "can_create": has_role(request.user, *CONTACT_EDITORS),
        "filtered": any(key not in ("page", "ordering") for key in request.GET),
        "now": timezone.now(),
    }
    template = "leads/_contact_results.html" if wants_fragment(request) else "leads/contacts.html"
    return render(request, template, context)


@require_POST
@role_required(*CONTACT_EDITORS)
def contact_bulk(request: HtmxRequest) -> HttpResponse:
    """Mark MQL or assign the selected contacts, each through its service on its own: one
    refusal (a contact already with sales, say) is reported and does not stop the others."""
    back = next_url(request, reverse("leads:contact_list"))
    form = BulkActionForm(request.POST, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect(back)
    action = ACTIONS[form.cleaned_data["action"].replace("_", "-")]
    if not has_role(request.user, *MOVES[action.move].roles):
        raise PermissionDenied(_("Your role does not allow this action."))
    params = {"owner": form.cleaned_data["owner"]} if action.move == Move.ASSIGN else {}
    done, refused = 0, []
    for contact in form.cleaned_data["contacts"]:
        try:
            action.service(contact=contact, by=request.user, **params)
            done += 1
        except StageConflict as exc:
            refused.append(f"{display_name(contact)} ({conflict_reason(exc)})")
        except (PermissionDenied, ValidationError) as exc:
            refused.append(f"{display_name(contact)} ({' '.join(_messages_of(exc))})")
    report_bulk(request, action, done, refused, owner=form.cleaned_data["owner"])
    return redirect(back)


def _messages_of(exc: PermissionDenied | ValidationError) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]


def report_bulk(
    request: HtmxRequest, action: Action, done: int, refused: list[str], owner: Account | None
) -> None:
    if done:
        if action.move == Move.ASSIGN:
            text = ngettext(
                "Assigned %(count)d contact to %(owner)s.",
                "Assigned %(count)d contacts to %(owner)s.",
                done,
            ) % {"count": done, "owner": user_name(owner) or _("the shared queue")}
        else:
            text = ngettext(
                "Marked %(count)d contact as MQL.", "Marked %(count)d contacts as MQL.", done
            ) % {"count": done}
        messages.success(request, text)
    if refused:
        shown = ", ".join(refused[:10])
        if len(refused) > 10:
            shown = _("%(names)s and %(count)d more") % {
                "names": shown,
                "count": len(refused) - 10,
            }
        messages.warning(request, _("Not changed: %(names)s.") % {"names": shown})


def duplicate_error(exc: DuplicateContact) -> str:
    url = reverse("leads:contact_detail", args=[exc.existing_id])
    return format_html(
        _('A contact with this e-mail already exists: <a href="{}">open it</a>.'), url
    )


@role_required(*CONTACT_EDITORS)
def contact_create(request: HtmxRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    return contact_form_page(
        request,
        form,
        None,
        lambda: services.contact_create(by=request.user, **form.cleaned_data),
        gettext_lazy("%(name)s added."),
    )


@role_required()
def contact_edit(request: HtmxRequest, pk: int) -> HttpResponse:
    """Edit the details (any role that sees the contact, as in the API); stage and owner
    change only through the actions."""
    contact = contact_for(request.user, pk)
    form = ContactForm.for_contact(contact, request.POST or None)
    return contact_form_page(
        request,
        form,
        contact,
        lambda: services.contact_update(contact=contact, by=request.user, **form.changed_fields()),
        gettext_lazy("%(name)s saved."),
    )


def contact_form_page(
    request: HtmxRequest,
    form: ContactForm,
    contact: Contact | None,
    save: Callable[[], Contact],
    done: StrOrPromise,
) -> HttpResponse:
    """The contact form; a taken e-mail is an error on the e-mail, linking to its contact."""

    def saving() -> Contact:
        try:
            return save()
        except DuplicateContact as exc:
            raise ValidationError({"email": [duplicate_error(exc)]}) from None

    def saved(contact: Contact) -> HttpResponse:
        messages.success(request, done % {"name": display_name(contact)})
        return redirect("leads:contact_detail", pk=contact.pk)

    return form_page(request, form, saving, saved, "leads/contact_form.html", {"contact": contact})


@role_required()
def contact_detail(request: HtmxRequest, pk: int) -> HttpResponse:
    return render_contact(request, contact_for(request.user, pk))


def render_contact(
    request: HtmxRequest,
    contact: Contact,
    *,
    failed: tuple[str, forms.Form] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The contact page; ``failed`` is an action's bound form to show with its errors."""
    bound = dict([failed]) if failed else {}
    actions = [
        (ACTIONS[slug], bound.get(slug) or ACTIONS[slug].new_form())
        for slug in allowed_actions(request.user, contact)
    ]
    context = {
        "contact": contact,
        "actions": actions,
        "timeline": timeline(contact),
        "milestones": [(stage.label, getattr(contact, f"{stage}_at")) for stage in FUNNEL],
        "defined": contact.stage in Definition.Term.values,
        "definition": Definition.objects.in_force().filter(term=contact.stage).first(),
        "now": timezone.now(),
        "look_alikes": _look_alikes(request, contact),
        "can_merge": can(request.user, Capability.EDIT_CONTACTS),
    }
    return render(request, "leads/contact_detail.html", context, status=status)


def _look_alikes(request: HtmxRequest, contact: Contact) -> list[tuple[Contact, Candidate]]:
    """The contacts this one looks like, among those the user sees: every role gets the
    warning, marketing and managers the way to merge."""
    found = duplicates.candidates_of(contact, among=Contact.objects.visible_to(request.user))
    contacts = Contact.objects.in_bulk([c.contact_id for c in found])
    return [(contacts[c.contact_id], c) for c in found]


# --- Queues ----------------------------------------------------------------------------


@role_required(*holders(Capability.OWN_CONTACTS))
def my_queue(request: HtmxRequest) -> HttpResponse:
    """The rep's MQLs by deadline, the shared queue to claim from, and their open deals."""
    now = timezone.now()
    visible = Contact.objects.visible_to(request.user).select_related("owner", "campaign")
    mqls = by_deadline(visible.filter(stage=Stage.MQL))
    sort = request.GET.get("sort", "")
    mine = mqls.filter(owner_id=request.user.pk)
    if sort == "status":
        mine = by_lead_status(mine)
    shared = mqls.filter(owner__isnull=True)
    deals = visible.filter(owner_id=request.user.pk, stage__in=(Stage.SQL, Stage.QSO)).order_by(
        F("close_by").asc(nulls_last=True), "sql_at", "pk"
    )
    context = {
        "mine": queue_rows(request.user, mine[:50]),
        "sort": sort,
        "mine_counts": queue_counts(mine, now),
        "shared": queue_rows(request.user, shared[:10]),
        "shared_count": shared.count(),
        "deals": deals[:50],
        "deals_count": deals.count(),
        "back": request.get_full_path(),
        "reject_reasons": REJECT_REASONS,
        "now": now,
    }
    return render(request, "leads/my_queue.html", context)


@role_required(*holders(Capability.MANAGE_TEAM))
def team_queue(request: HtmxRequest) -> HttpResponse:
    """Every open MQL of the team by deadline, per rep, to reassign what waits too long."""
    now = timezone.now()
    mqls = Contact.objects.visible_to(request.user).filter(stage=Stage.MQL)
    reps = list(sales_reps())
    per_owner: dict[int | None, Any] = {
        row["owner"]: row
        for row in mqls.values("owner").annotate(
            total=Count("pk"), overdue=Count("pk", filter=Q(sla_due_at__lt=now))
        )
    }
    owner = request.GET.get("owner", "")
    shown = mqls
    if owner == "none":
        shown = shown.filter(owner__isnull=True)
    elif owner.isdigit():
        shown = shown.filter(owner_id=int(owner))
    if request.GET.get("overdue") == "true":
        shown = shown.filter(sla_due_at__lt=now)
    page = paginate(request, by_deadline(shown.select_related("owner", "campaign")))
    empty = {"total": 0, "overdue": 0}
    context = {
        "page": page,
        "rows": queue_rows(request.user, page.object_list),
        "summary": [(rep, per_owner.get(rep.pk, empty)) for rep in reps],
        "unassigned": per_owner.get(None, empty),
        "owner": owner,
        "overdue_only": request.GET.get("overdue") == "true",
        "back": request.get_full_path(),
        "reject_reasons": REJECT_REASONS,
        "reps": reps,
        "now": now,
    }
    return render(request, "leads/team_queue.html", context)


# --- Campaigns -------------------------------------------------------------------------


@role_required()
def campaign_list(request: HtmxRequest) -> HttpResponse:
    """Campaigns with their channel, dates and spend. What each brought (leads, MQLs,
    clients, cost per stage) is the reports' work: counting it here meant a grouped scan of
    every contact on each view (0.4 s at a million contacts)."""
    campaigns = Campaign.objects.order_by("-started_on", "name", "pk")
    filterset = CampaignFilterSet(request.GET, queryset=campaigns)
    context = {
        "filterset": filterset,
        "page": paginate(request, filterset.qs),
        "channels": Channel.choices,
        "can_edit": has_role(request.user, *CONTACT_EDITORS),
    }
    return render(request, "leads/campaigns.html", context)


@role_required(*CONTACT_EDITORS)
def campaign_edit(request: HtmxRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit a campaign; plain CRUD, as the API's viewset does."""
    campaign = get_object_or_404(Campaign, pk=pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        messages.success(request, _("Campaign “%(name)s” saved.") % {"name": saved.name})
        return redirect("leads:campaign_list")
    context = {"form": form, "campaign": campaign}
    return render(request, "leads/campaign_form.html", context, status=400 if form.errors else 200)


# --- Definitions -----------------------------------------------------------------------


@role_required()
def definitions(request: HtmxRequest) -> HttpResponse:
    """What each term means here, as written by the managers, with every earlier version."""
    revisions: dict[str, list[Definition]] = defaultdict(list)
    for revision in Definition.objects.select_related("written_by").order_by(
        "term", "-written_at", "-id"
    ):
        revisions[revision.term].append(revision)
    context = {
        "entries": [(term, revisions[term.value]) for term in Definition.Term],
        "can_edit": can(request.user, Capability.MANAGE_TEAM),
    }
    return render(request, "leads/definitions.html", context)


@role_required(*holders(Capability.MANAGE_TEAM))
def definition_edit(request: HtmxRequest, term: str) -> HttpResponse:
    if term not in Definition.Term.values:
        raise Http404(_("No such term."))
    term = Definition.Term(term)
    current = Definition.objects.filter(term=term).order_by("-written_at", "-id").first()
    form = DefinitionForm(request.POST or None, initial={"text": current.text if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.definition_revise(
                term=term, text=form.cleaned_data["text"], by=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            unchanged = current is not None and saved.pk == current.pk
            text = (
                _("Nothing changed.")
                if unchanged
                else _("Definition of %(term)s saved.") % {"term": term.label}
            )
            messages.success(request, text)
            return redirect(f"{reverse('leads:definitions')}#{term.value}")
    context = {"form": form, "term": term, "current": current}
    status = 400 if form.errors else 200
    return render(request, "leads/definition_form.html", context, status=status)
