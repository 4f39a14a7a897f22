"""Arrangements of the reporting tests: contacts walked through the funnel by the lifecycle
services at chosen times, so that every figure of a report can be computed by hand."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from leads import services
from leads.models import Contact
from tests.factories import ContactFactory


def at(day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A UTC time on ``day`` (YYYY-MM-DD)."""
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=UTC)


class Walk:
    """One contact moved through ``leads.services`` at given times (chainable)."""

    def __init__(self, contact: Contact, rep, manager):
        self.contact, self.rep, self.manager = contact, rep, manager

    def lead(self, when: datetime) -> "Walk":
        services.contact_engage(contact=self.contact, at=when)
        return self

    def mql(self, when: datetime, owner=None) -> "Walk":
        """Marketing hands the contact to sales, and it is assigned to ``owner`` (the rep)."""
        services.contact_mark_mql(contact=self.contact, by=None, at=when)
        return self.assign(when, owner or self.rep)

    def assign(self, when: datetime, owner) -> "Walk":
        services.contact_assign(contact=self.contact, by=self.manager, owner=owner, at=when)
        return self

    def accept(self, when: datetime) -> "Walk":
        services.contact_accept(contact=self.contact, by=self._owner(), at=when)
        return self

    def reject(self, when: datetime, reason: str = "Bad fit", recycle: bool = True) -> "Walk":
        services.contact_reject(
            contact=self.contact, by=self._owner(), reason=reason, recycle=recycle, at=when
        )
        return self

    def fast_track(self, when: datetime) -> "Walk":
        self.assign(when, self.rep)
        services.contact_fast_track(
            contact=self.contact, by=self.rep, reason="Asked for a demo", at=when
        )
        return self

    def qualify(self, when: datetime) -> "Walk":
        services.contact_qualify(
            contact=self.contact,
            by=self._owner(),
            budget=Decimal("5000"),
            currency="EUR",
            close_by=date(2026, 12, 31),
            at=when,
        )
        return self

    def win(self, when: datetime) -> "Walk":
        services.contact_win(
            contact=self.contact, by=self._owner(), amount=Decimal("4000"), at=when
        )
        return self

    def lose(self, when: datetime, reason: str = "No budget") -> "Walk":
        services.contact_lose(contact=self.contact, by=self._owner(), reason=reason, at=when)
        return self

    def erase(self) -> "Walk":
        services.contact_erase(contact=self.contact, by=self.manager)
        return self

    def _owner(self):
        self.contact.refresh_from_db()
        return self.contact.owner


@pytest.fixture
def walk(rep, manager):
    """``walk(created_at, campaign=...)`` starts a contact; chain its moves."""

    def start(created: datetime, campaign=None) -> Walk:
        return Walk(ContactFactory(created_at=created, campaign=campaign), rep, manager)

    return start
