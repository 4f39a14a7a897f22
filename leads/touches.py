"""Recording the touches: each time a campaign reached a contact (an event or form that
names it, an import row, a contact created with it), and the UTM campaigns no campaign
claims yet, until a marketer maps them.

A touch names its campaign, or carries a ``utm_campaign`` that a campaign's
``utm_campaigns`` lists (mapped when recorded), or stays unmapped with its UTM values.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from .models import Campaign, Touch, TouchSource
from .normalise import NUL_MESSAGE, holds_nul
from .roles import Capability, User, can

# The event a web form's submission is recorded as: its touch is a form's, not an event's.
FORM_SUBMITTED = "form_submitted"


@dataclass(frozen=True)
class TouchIn:
    contact_id: int
    at: datetime
    source: TouchSource
    campaign_id: int | None = None
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""


def campaign_of_utm() -> dict[str, int]:
    """Each mapped ``utm_campaign`` value (lower-case) and the campaign it means."""
    mapping: dict[str, int] = {}
    claims = Campaign.objects.exclude(utm_campaigns=[]).values_list("pk", "utm_campaigns")
    for pk, values in claims:
        for value in values or []:
            mapping.setdefault(str(value).strip().lower(), pk)
    return mapping


def touches_record(touches: Sequence[TouchIn]) -> int:
    """Store the touches that name a campaign or carry a UTM campaign; one INSERT."""
    mapping: dict[str, int] | None = None
    rows = []
    for touch in touches:
        utm = touch.utm_campaign.strip()[:200]
        campaign = touch.campaign_id
        if campaign is None and utm:
            mapping = campaign_of_utm() if mapping is None else mapping
            campaign = mapping.get(utm.lower())
        if campaign is None and not utm:
            continue
        rows.append(
            Touch(
                contact_id=touch.contact_id,
                campaign_id=campaign,
                at=touch.at,
                source=touch.source,
                utm_source=touch.utm_source.strip()[:200],
                utm_medium=touch.utm_medium.strip()[:200],
                utm_campaign=utm,
            )
        )
    Touch.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@dataclass(frozen=True)
class UnmappedUtm:
    utm_campaign: str
    touches: int
    contacts: int
    last_at: datetime


def unmapped_utms() -> list[UnmappedUtm]:
    """The UTM campaigns no campaign claims (in any case: matching ignores it), the most
    used first."""
    rows = (
        Touch.objects.filter(campaign__isnull=True)
        .values(key=Lower("utm_campaign"))
        .annotate(
            spelling=Min("utm_campaign"),
            touches=Count("id"),
            contacts=Count("contact", distinct=True),
            last=Max("at"),
        )
        .order_by("-touches", "key")
    )
    return [UnmappedUtm(r["spelling"], r["touches"], r["contacts"], r["last"]) for r in rows]


@transaction.atomic
def utm_map(*, campaign: Campaign, values: Iterable[str], by: User | None) -> int:
    """``values`` mean ``campaign`` from now on, and the touches that carried them are
    credited to it; how many touches that maps."""
    if by is not None and not can(by, Capability.EDIT_CONTACTS):
        raise PermissionDenied(_("Campaigns are edited by marketing and managers."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    wanted = {value.strip() for value in values if value.strip()}
    if not wanted:
        raise ValidationError(_("Give the utm_campaign value to map."))
    known = {str(v).lower() for v in campaign.utm_campaigns}
    added = sorted(value for value in wanted if value.lower() not in known)
    campaign.utm_campaigns = utm_campaigns_clean([*campaign.utm_campaigns, *added], campaign)
    campaign.save(update_fields=["utm_campaigns"])
    return touches_claim(campaign)


def touches_claim(campaign: Campaign) -> int:
    """Credit ``campaign`` with the unmapped touches that carry one of its UTM values (after
    its ``utm_campaigns`` changed); how many."""
    lowered = {str(value).lower() for value in campaign.utm_campaigns}
    unmapped = Touch.objects.filter(campaign__isnull=True)
    carrying = unmapped.annotate(key=Lower("utm_campaign")).filter(key__in=lowered)
    return Touch.objects.filter(pk__in=carrying.values("pk")).update(campaign=campaign)


def utm_campaigns_clean(value: object, campaign: Campaign | None) -> list[str]:
    """A campaign's ``utm_campaigns``: short texts, each claimed by one campaign only."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Give a list of utm_campaign values."))
    if holds_nul(value):
        raise ValidationError(NUL_MESSAGE)
    cleaned: list[str] = []
    for item in (v.strip() for v in value):
        if not item or len(item) > 200:
            raise ValidationError(_("Each utm_campaign value is 1 to 200 characters."))
        if item.lower() not in {c.lower() for c in cleaned}:
            cleaned.append(item)
    claimed = campaign_of_utm()
    taken = sorted(
        item
        for item in cleaned
        if claimed.get(item.lower(), campaign and campaign.pk) != (campaign and campaign.pk)
    )
    if taken:
        raise ValidationError(
            _("Another campaign already claims %(values)s.") % {"values": ", ".join(taken)}
        )
    return cleaned
