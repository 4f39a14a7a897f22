"""Campaign spend inside a report's range, prorated by days, for the cost per stage."""

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q

from ..periods import Period, month_key
from .scope import Scope


@dataclass(frozen=True)
class SpendShare:
    """The part of one campaign's spend that falls in the range (or in one month of it)."""

    campaign_id: int
    channel: str
    currency: str
    month: str | None
    amount: Decimal
    days: int  # the campaign's days inside the range (or month)
    ran: int  # all the days the campaign ran


def prorated_campaigns(shares: Iterable[SpendShare]) -> set[int]:
    """The campaigns of ``shares`` whose days in them fall short of their whole run."""
    days: Counter = Counter()
    ran = {}
    for share in shares:
        days[share.campaign_id] += share.days
        ran[share.campaign_id] = share.ran
    return {campaign for campaign, inside in days.items() if inside < ran[campaign]}


def spend_shares(
    period: Period, scope: Scope, *, by_month: bool, today: date
) -> Iterator[SpendShare]:
    """Each campaign's spend times the share of its days inside the range (or month).

    A campaign runs from ``started_on`` to ``ended_on`` (both included); one with no end runs
    to today. The campaign table is small (one row per marketing action), so proration is a
    loop over campaigns, never over contacts; amounts stay exact until they are displayed.
    """
    campaigns = scope.campaigns().filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start), started_on__lte=period.end
    )
    parts = list(period.months()) if by_month else [period]
    for campaign in campaigns.order_by("pk"):
        last = max(campaign.ended_on or today, campaign.started_on)
        ran = (last - campaign.started_on).days + 1
        for part in parts:
            days = part.overlap_days(campaign.started_on, last)
            if days:
                yield SpendShare(
                    campaign_id=campaign.pk,
                    channel=campaign.channel,
                    currency=campaign.currency,
                    month=month_key(part.start) if by_month else None,
                    amount=campaign.spend * days / ran,
                    days=days,
                    ran=ran,
                )
