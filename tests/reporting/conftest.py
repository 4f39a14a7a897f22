"""Arrangements of the reporting tests: contacts walked through the funnel by the lifecycle
services at chosen times, so that every figure of a report can be computed by hand."""

from datetime import UTC, date, datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from leads import services
from leads.models import Channel, Contact
from tests.factories import CampaignFactory, ContactFactory


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


@pytest.fixture
def january(walk, rep, other_rep):
    """Two campaigns and the contacts they brought in January 2026 (see each line), plus one
    created late December and one in February, all moved through the lifecycle services.

    E-book (1,000 EUR, Jan 1-31) and Demo requests (3,000 EUR, Jan 16-Feb 14: 30 days, 16 of
    them in January, so 1,600 EUR of it falls in January).
    """
    ebook = CampaignFactory(
        name="E-book: Pipeline math",
        channel=Channel.EBOOK,
        spend=Decimal("1000"),
        started_on=date(2026, 1, 1),
        ended_on=date(2026, 1, 31),
    )
    demo = CampaignFactory(
        name="Demo requests",
        channel=Channel.DEMO_REQUEST,
        spend=Decimal("3000"),
        started_on=date(2026, 1, 16),
        ended_on=date(2026, 2, 14),
    )
    # E-book
    walk(at("2026-01-02"), ebook)  # c1: never engaged
    walk(at("2026-01-03"), ebook).lead(at("2026-01-03", 13))  # c2
    walk(at("2026-01-04"), ebook).lead(at("2026-01-04", 13)).mql(at("2026-01-05")).reject(
        at("2026-01-06"), reason="No interest"
    ).lead(at("2026-02-10")).mql(at("2026-02-11"))  # c3: recycled, back in February
    walk(at("2026-01-05"), ebook).lead(at("2026-01-05", 13)).mql(at("2026-01-06")).accept(
        at("2026-01-07")
    ).lose(at("2026-01-20"))  # c4: lost
    walk(at("2026-01-06"), ebook).lead(at("2026-01-06", 13)).fast_track(at("2026-01-08")).qualify(
        at("2026-01-25")
    )  # c5: skipped MQL
    walk(at("2025-12-31", 20), ebook).lead(at("2026-01-02"))  # x0: created in December
    # Demo requests
    walk(at("2026-01-16"), demo).mql(at("2026-01-16", 13)).accept(at("2026-01-17")).qualify(
        at("2026-01-28")
    ).win(at("2026-02-10"))  # d1: skipped lead, won in February
    walk(at("2026-01-17"), demo).lead(at("2026-01-17", 13)).mql(
        at("2026-01-18"), owner=other_rep
    )  # d2: waiting
    walk(at("2026-01-18"), demo).lead(at("2026-01-18", 13)).mql(at("2026-01-19")).erase()  # d3
    walk(at("2026-02-02"), demo).lead(at("2026-02-02", 13)).mql(at("2026-02-03")).accept(
        at("2026-02-04")
    )  # f1: February
    # No campaign
    walk(at("2026-01-20")).lead(at("2026-01-21"))  # n1
    return SimpleNamespace(ebook=ebook, demo=demo, rep=rep, other_rep=other_rep)
