"""Who a user is in the funnel: the roles behind every permission check."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from .stages import Role

User = AbstractBaseUser | AnonymousUser


def roles_of(user: User | None) -> frozenset[Role]:
    """The user's roles, read once per user object (the groups do not change mid-request).

    A superuser holds every role.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_leadfunnel_roles", None)
    if cached is None:
        if user.is_superuser:
            cached = frozenset(Role)
        else:
            names = set(user.groups.values_list("name", flat=True))
            cached = frozenset(role for role in Role if role.value in names)
        user._leadfunnel_roles = cached
    return cached


def has_role(user: User | None, *roles: Role) -> bool:
    return bool(roles_of(user) & set(roles))


def sees_every_contact(user: User | None) -> bool:
    """Marketers and managers work on the whole base; a rep sees their own queue."""
    return has_role(user, Role.MARKETING, Role.MANAGERS)
