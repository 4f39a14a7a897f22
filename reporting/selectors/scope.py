"""What every report shares: its filters, its groupings and how a rate is written."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from leads.models import Campaign, Channel
from leads.stages import Role

from ..periods import month_key


class GroupBy(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    CHANNEL = "channel", _("Channel")
    OWNER = "owner", _("Sales rep")
    MONTH = "month", _("Month")


class Team(models.TextChoices):
    """Who owns a step of the funnel: a falling rate there is that team's to fix."""

    MARKETING = Role.MARKETING.value, "Marketing"
    SALES = Role.SALES.value, "Sales"
    BOTH = "both", _("Marketing and sales")


@dataclass(frozen=True)
class Scope:
    """The filters of a report: only contacts of this campaign, channel and/or current owner.

    Applies to any queryset with ``campaign_id`` and ``owner_id`` columns (contacts, stays);
    the channel goes through a sub-query on the small campaign table, not a join per row.
    """

    campaign: int | None = None
    channel: str | None = None
    owner: int | None = None

    def campaigns(self) -> QuerySet[Campaign]:
        campaigns = Campaign.objects.all()
        if self.campaign is not None:
            campaigns = campaigns.filter(pk=self.campaign)
        if self.channel:
            campaigns = campaigns.filter(channel=self.channel)
        return campaigns

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.campaign is not None:
            queryset = queryset.filter(campaign_id=self.campaign)
        if self.channel:
            queryset = queryset.filter(campaign_id__in=self.campaigns().values("pk"))
        if self.owner is not None:
            queryset = queryset.filter(owner_id=self.owner)
        return queryset


NO_FILTER = Scope()


def rate(reached: float | Decimal, of: float | Decimal) -> float | None:
    """Reached B / reached A, rounded to 4 places; ``None`` when nobody reached A."""
    return round(float(reached) / float(of), 4) if of else None


def group_key(group_by: GroupBy | None, value: Any) -> str | None:
    """The key a group is known by in the API and CSV: an id, a channel, or ``YYYY-MM``."""
    if value is None:
        return None
    if isinstance(value, date):
        return month_key(value)
    return str(value)


def group_labels(group_by: GroupBy | None, keys: Iterable[str | None]) -> dict[str | None, str]:
    """A readable name for each group key (campaign name, channel, rep, "March 2026")."""
    keys = set(keys)
    labels: dict[str | None, str] = {}
    if None in keys:
        labels[None] = _NONE_LABEL.get(group_by, "") if group_by else ""
    known = [key for key in keys if key is not None]
    if group_by == GroupBy.CAMPAIGN:
        labels |= {
            str(pk): name
            for pk, name in Campaign.objects.filter(pk__in=known).values_list("pk", "name")
        }
    elif group_by == GroupBy.CHANNEL:
        labels |= {key: str(Channel(key).label) for key in known}
    elif group_by == GroupBy.OWNER:
        for user in get_user_model().objects.filter(pk__in=known):
            labels[str(user.pk)] = user.get_full_name() or user.get_username()
    elif group_by == GroupBy.MONTH:
        labels |= {key: date.fromisoformat(f"{key}-01").strftime("%B %Y") for key in known}
    return labels


def ordered_keys(group_by: GroupBy | None, labels: dict[str | None, str]) -> list[str | None]:
    """Months in order, other groups by name; the "none" group (no campaign, unassigned) last."""
    keys: list[str | None] = [key for key in labels if key is not None]
    keys.sort(
        key=(lambda k: k or "") if group_by == GroupBy.MONTH else (lambda k: labels[k].lower())
    )
    return keys + [None] if None in labels and group_by is not None else keys


_NONE_LABEL = {
    GroupBy.CAMPAIGN: "No campaign",
    GroupBy.CHANNEL: "No campaign",
    GroupBy.OWNER: "Unassigned",
}
