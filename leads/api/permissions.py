from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from ..models import Contact
from ..roles import Capability, can, has_role, holders, roles_of


class HasFunnelRole(BasePermission):
    """Any of the three roles may read; ``write_roles`` on the view say who may change."""

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not roles_of(request.user):
            return False
        action = getattr(view, "action", None)  # a view that is no viewset has none
        if request.method in SAFE_METHODS or action in getattr(view, "any_role_actions", ()):
            return True
        return has_role(request.user, *getattr(view, "write_roles", ()))


class CanSeeContact(BasePermission):
    """The object-level twin of ``Contact.objects.visible_to``: the same rule, one query."""

    message = "This contact is not in your queue."

    def has_object_permission(self, request: Request, view: APIView, obj: Contact) -> bool:
        return Contact.objects.visible_to(request.user).filter(pk=obj.pk).exists()


CONTACT_EDITORS = holders(Capability.EDIT_CONTACTS)


def holding(capability: Capability, message: str) -> type[BasePermission]:
    """A permission for views only the holders of ``capability`` use, reads included."""

    class Holds(BasePermission):
        def has_permission(self, request: Request, view: APIView) -> bool:
            return can(request.user, capability)

    Holds.message = message  # type: ignore[attr-defined]  # DRF reads it, the stubs lack it
    Holds.__name__ = f"Holds_{capability.value}"
    return Holds


ContactEditors = holding(
    Capability.EDIT_CONTACTS, "Duplicates and merges are for marketing and managers."
)
ScoringEditors = holding(
    Capability.EDIT_SCORING, "Marketing and managers analyse and change the scoring."
)
