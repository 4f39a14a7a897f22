"""Who a user is in the funnel: the roles, and the one table of what each role may do.

Every permission check (the API's permission classes, the pages' decorators and templates,
the admin, the services' own actor checks) names a ``Capability`` and reads the groups that
hold it here, so a page and an endpoint cannot disagree on who may do what. Which stage
moves a role may make is the move table's (``leads.stages.MOVES``).
"""

from django.contrib.auth import models as auth
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .stages import Role

User = AbstractBaseUser | AnonymousUser  # whoever asks (``request.user``)
Account = auth.User  # a person's (or a service's) account: what a record names as its actor


def account(user: User | None) -> Account | None:
    """The signed-in account behind ``user``, else None: what a record names as its actor
    (None stands for the system, or a visitor who is not signed in)."""
    return user if isinstance(user, Account) and user.is_authenticated else None


class Capability(models.TextChoices):
    EDIT_CONTACTS = "edit_contacts", _("Create, edit, import and erase contacts; edit campaigns")
    SEE_EVERY_CONTACT = "see_every_contact", _("See every contact (a rep sees their own queue)")
    EDIT_SCORING = "edit_scoring", _("Edit scoring rules and thresholds, analyse the evidence")
    READ_REPORTS = "read_reports", _("Read the dashboard and the reports")
    OWN_CONTACTS = "own_contacts", _("Be given contacts, claim from the shared queue")
    MANAGE_TEAM = (
        "manage_team",
        (
            _(
                "Assign and reassign, SLA policies, targets, definitions, webhooks, the audit "
                "log, others' availability"
            )
        ),
    )


_MARKETING_AND_MANAGERS = frozenset({Role.MARKETING, Role.MANAGERS})
CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.EDIT_CONTACTS: _MARKETING_AND_MANAGERS,
    Capability.SEE_EVERY_CONTACT: _MARKETING_AND_MANAGERS,
    Capability.EDIT_SCORING: _MARKETING_AND_MANAGERS,
    Capability.READ_REPORTS: _MARKETING_AND_MANAGERS,
    Capability.OWN_CONTACTS: frozenset({Role.SALES}),
    Capability.MANAGE_TEAM: frozenset({Role.MANAGERS}),
}


def holders(capability: Capability) -> tuple[Role, ...]:
    """The roles that hold ``capability``, in a stable order (for ``has_role(*roles)``)."""
    return tuple(role for role in Role if role in CAPABILITIES[capability])


def roles_of(user: User | None) -> frozenset[Role]:
    """The user's roles, read once per user object (the groups do not change mid-request).

    A superuser holds every role.
    """
    person = account(user)
    if person is None or not person.is_active:
        return frozenset()
    cached: frozenset[Role] | None = getattr(person, "_leadfunnel_roles", None)
    if cached is None:
        if person.is_superuser:
            cached = frozenset(Role)
        else:
            names = set(person.groups.values_list("name", flat=True))
            cached = frozenset(role for role in Role if role.value in names)
        setattr(person, "_leadfunnel_roles", cached)  # noqa: B010 (not a model field)
    return cached


def has_role(user: User | None, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def can(user: User | None, capability: Capability) -> bool:
    """Whether the user holds ``capability`` (a superuser holds every role, so all)."""
    return has_role(user, *CAPABILITIES[capability])


def sees_every_contact(user: User | None) -> bool:
    """Marketers and managers work on the whole base; a rep sees their own queue."""
    return can(user, Capability.SEE_EVERY_CONTACT)
