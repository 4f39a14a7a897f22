"""Who is acting, for the audit receivers, which only see the saved object.

A request sets it (``AuditContextMiddleware``); the user is read from the request when a
change is recorded, so DRF's token user counts too (DRF sets it on the Django request when
it authenticates, after the middleware ran). Work outside a request (a task, a command) is
the system's unless wrapped in ``acting_as(user)``.
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass
class Scope:
    request: HttpRequest | None = None
    user: object | None = None
    # Entries written in this scope, by object: the many-to-many changes a form or a
    # serializer saves just after the object are folded into the object's entry.
    entries: dict[tuple[str, str], int] = field(default_factory=dict)

    def actor(self):
        user = self.user or getattr(self.request, "user", None)
        return user if user is not None and user.is_authenticated else None


_scope: ContextVar[Scope | None] = ContextVar("audit_scope", default=None)


def current() -> Scope:
    return _scope.get() or Scope()


@contextmanager
def entered(scope: Scope) -> Iterator[Scope]:
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)


def acting_as(user) -> AbstractContextManager[Scope]:
    """Record the changes made inside the block as ``user``'s (scripts, commands)."""
    return entered(Scope(user=user))
