"""
E-mail for SLA notifications: one digest per recipient, sent outside any transaction,
each notification claimed (``mailed_at``) before sending so it is mailed at most once.
"""

import logging
from datetime import datetime

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from leadfunnel.languages import language_of

from .models import Notification

logger = logging.getLogger(__name__)

DIGEST_LINES = 100  # a digest of 10,000 breaches lists the first ones and counts the rest


def unmailed_exist() -> bool:
    return Notification.objects.filter(mailed_at__isnull=True).exists()


def notifications_mail(*, now: datetime | None = None) -> int:
    """Mail every recipient the notifications not mailed yet; returns the e-mails sent.

    A failed send releases its claim and is tried again by the next run (the sweep
    enqueues one whenever notifications wait), without holding up the other recipients.
    """
    now = now or timezone.now()
    recipients = (
        Notification.objects.filter(mailed_at__isnull=True)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )
    return sum(_mail_digest(user_id, now) for user_id in list(recipients))


@transaction.atomic
def _claim(user_id: int, now: datetime) -> list[int]:
    """Mark the recipient's waiting notifications as mailed; a concurrent run skips them."""
    ids = list(
        Notification.objects.select_for_update(skip_locked=True)
        .filter(user_id=user_id, mailed_at__isnull=True)
        .values_list("pk", flat=True)
    )
    Notification.objects.filter(pk__in=ids).update(mailed_at=now)
    return ids


def _mail_digest(user_id: int, now: datetime) -> int:
    ids = _claim(user_id, now)
    if not ids:
        return 0
    claimed = Notification.objects.filter(pk__in=ids).select_related(
        "user", "breach__contact", "breach__policy"
    )
    user = claimed[0].user
    if not (user.is_active and user.email):
        return 0
    with translation.override(language_of(user)):  # the reader's language, not the worker's
        lines = [f"- {notice.text}" for notice in claimed.order_by("pk")[:DIGEST_LINES]]
        if len(ids) > DIGEST_LINES:
            more = len(ids) - DIGEST_LINES
            lines.append(
                _("... and %(count)d more: see the breaches in the app.") % {"count": more}
            )
        subject = ngettext(
            "[leadfunnel] %(count)d SLA notification",
            "[leadfunnel] %(count)d SLA notifications",
            len(ids),
        ) % {"count": len(ids)}
        body = "\n".join([_("Missed SLA deadlines:"), "", *lines])
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])
    except Exception:  # SMTP, DNS, socket: whatever the backend raises, try again later
        Notification.objects.filter(pk__in=ids, mailed_at=now).update(mailed_at=None)
        logger.exception("SLA digest to user %s failed; it will be retried", user_id)
        return 0
    return 1
