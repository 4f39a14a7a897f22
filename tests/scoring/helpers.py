"""Small builders shared by the scoring tests."""

from datetime import UTC, datetime

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def event(key: str, contact, type: str = "email_opened", at: datetime = T0, **extra) -> dict:
    """An event as a sender posts it."""
    return {
        "id": key,
        "type": type,
        "occurred_at": at.isoformat(),
        "contact": contact.pk,
        **extra,
    }
