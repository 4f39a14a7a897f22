from rest_framework.permissions import BasePermission

from leads.roles import has_role


class HasRole(BasePermission):
    """Only the view's ``roles`` may use it, reads included (imports, webhooks)."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *view.roles)
