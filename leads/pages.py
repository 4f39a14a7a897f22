"""
What every app's pages share: who may open them, the contact a user may see, paging, and
the small formats (names, money) the templates write. A module of its own, so that no app
imports another app's views.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import floatformat
from django.utils.functional import Promise, cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

from .errors import MergedAway
from .forms import add_service_errors
from .models import Contact, Transition
from .roles import Account, User, has_role, roles_of
from .stages import Move, Role

PAGE_SIZE = 50
View = TypeVar("View", bound=Callable[..., HttpResponse])
Saved = TypeVar("Saved")


class HtmxRequest(HttpRequest):
    """A request as the views see it: django-htmx's middleware tells what htmx asked."""

    htmx: HtmxDetails


# --- Access ----------------------------------------------------------------------------


def role_required(*roles: Role) -> Callable[[View], View]:
    """Logged in and in a funnel role (the API's rule: any role reads); with ``roles``, one
    of those (the API's ``write_roles``)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not roles_of(request.user):
                raise PermissionDenied(
                    _(
                        "Your account has no role yet: ask a manager to add you to marketing, "
                        "sales or managers."
                    )
                )
            if roles and not has_role(request.user, *roles):
                raise PermissionDenied(_("Your role does not give access to this page."))
            return view(request, *args, **kwargs)

        return cast(View, guarded)

    return decorator


def contact_for(user: User, pk: int) -> Contact:
    """The contact, if this user may see it: 404 when there is none (or it was erased),
    403 when it is outside their scope (the API's ``CanSeeContact``: a clear "not yours").
    A contact merged into another raises ``MergedAway``: the pages then show that one."""
    survivor = Contact.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
    if survivor is not None:
        raise MergedAway(survivor_id=survivor)
    contact: Contact = get_object_or_404(
        Contact.objects.active().select_related("owner", "campaign"), pk=pk
    )
    if not Contact.objects.visible_to(user).filter(pk=pk).exists():
        raise PermissionDenied(
            _(
                "This contact is not in your queue: a rep sees their own contacts and the "
                "unassigned MQLs. Ask a manager to assign it to you if you need it."
            )
        )
    return contact


def display_name(contact: Contact) -> str:
    return contact.full_name or contact.email or f"Contact #{contact.pk}"


def user_name(user: Account | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def money(amount: Decimal | None, currency: str) -> str:
    """As the templates write it: ``5,000 EUR``, ``4,800.50 EUR``."""
    return "" if amount is None else f"{floatformat(amount, '-2g')} {currency}"


def next_url(request: HttpRequest, default: str) -> str:
    """Where a form sends the user back to: its ``next`` field when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else default


class CappedPaginator(Paginator[Any]):
    """Counts at most ``CAP`` rows. An exact ``COUNT(*)`` over a million contacts costs a
    quarter of a second on every view, and nobody pages past page 200: they filter."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        rows: QuerySet[Any] = self.object_list  # type: ignore[assignment]  # querysets only
        return rows.order_by()[: self.CAP + 1].count()

    def page(self, number: int | str) -> Page[Any]:
        # Not cut at the capped count: the last reachable page still shows a full page.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)

    @property
    def count_is_exact(self) -> bool:
        return self.count <= self.CAP

    @property
    def count_label(self) -> str:
        return f"{self.count:,}" if self.count_is_exact else f"{self.CAP:,}+"


def form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], Saved],
    saved: Callable[[Saved], HttpResponse],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A create-or-edit page: a valid post goes to ``save`` (a service), then to ``saved``
    (as a rule a message and a redirect). What the service refuses comes back on the form's
    fields, and the page answers 400 while the form shows errors."""
    if request.method == "POST" and form.is_valid():
        try:
            result = save()
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return saved(result)
    context = {"form": form, **context}
    return render(request, template, context, status=400 if form.errors else 200)


def paginate(request: HttpRequest, queryset: QuerySet[Any], size: int = PAGE_SIZE) -> Page[Any]:
    return CappedPaginator(queryset, size).get_page(request.GET.get("page"))


def wants_fragment(request: HtmxRequest) -> bool:
    """An htmx request asks for the part of the page it swaps; a history restore (back
    button with an empty htmx cache) needs the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def timeline(contact: Contact) -> list[Transition]:
    """The contact's moves, newest first, with the names of the people it was given to;
    those of the records merged into it too, each saying whose it was (``merged_from``)."""
    people = [contact.pk, *contact.merged_contacts.values_list("pk", flat=True)]
    moves = list(
        Transition.objects.filter(contact__in=people)
        .select_related("actor")
        .order_by("-at", "-id")
    )
    given_to = {t.data.get("owner") for t in moves if t.move in (Move.ASSIGN, Move.CLAIM)}
    names = {
        user.pk: user_name(user)
        for user in get_user_model().objects.filter(pk__in=given_to - {None})
    }
    for move in moves:
        move.given_to = names.get(move.data.get("owner"), _("the shared queue"))
        move.merged_from = move.contact_id if move.contact_id != contact.pk else None
    return moves


@dataclass(frozen=True)
class Column:
    """A list page's column: its heading and, when it sorts, the API's ``ordering``."""

    label: str | Promise
    ordering: str | None = None  # the ``ordering`` value of the API
    descending_first: bool = False
    css: str = ""

    def sort(self, current: str) -> dict[str, str] | None:
        """The link to sort by this column and the state to announce (``aria-sort``)."""
        if not self.ordering:
            return None
        if current == self.ordering:
            return {"next": f"-{self.ordering}", "state": "ascending"}
        if current == f"-{self.ordering}":
            return {"next": self.ordering, "state": "descending"}
        first = f"-{self.ordering}" if self.descending_first else self.ordering
        return {"next": first, "state": "none"}
