"""
What a shadow run found: the MQLs each set made since the run began, side by side.

The published set "made" an MQL when the scoring promoted a contact (a ``mark_mql`` move
by the system) while the run was on; the version in shadow, when it would first have taken
a contact on marketing's side over its line (``ShadowScore.crossed_at``). Both are counted
in the database; only the sample of contacts and the rows per rep come back as rows.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from leads.models import Contact, Transition
from leads.stages import Move

from .models import RuleSet, RuleSetState, ShadowJob, ShadowScore
from .releases import ReleaseConflict

SAMPLE = 50


@dataclass(frozen=True)
class Comparison:
    ruleset: RuleSet
    since: datetime
    until: datetime
    running: bool
    build: ShadowJob | None
    published: int
    shadow: int
    overlap: int
    only_published: int
    only_shadow: int
    only_shadow_became: dict[str, int]
    load: list[dict[str, Any]]
    only_shadow_sample: list[Contact]


def _published_mqls(since: datetime, until: datetime) -> QuerySet[Transition, Any]:
    return Transition.objects.filter(
        move=Move.MARK_MQL, actor__isnull=True, recorded_at__gte=since, recorded_at__lt=until
    ).values("contact_id")


def _rep(owner: Any) -> str:
    if owner is None:
        return str(_("Unassigned"))
    return str(owner.get_full_name() or owner.get_username())


def shadow_comparison(version: RuleSet, *, now: datetime | None = None) -> Comparison:
    """The comparison of the version's last shadow run (409 for a version never shadowed).

    Load per rep is by each contact's owner now: a contact only the shadow would have made
    an MQL usually has none yet (the assignment rules give it one at hand-off).
    """
    if version.shadow_since is None:
        raise ReleaseConflict(
            _("This rule set has never been in shadow."), state=str(version.state)
        )
    since = version.shadow_since
    until = version.shadow_until or now or timezone.now()
    published_ids = _published_mqls(since, until)
    shadow_ids = ShadowScore.objects.filter(ruleset=version, crossed_at__isnull=False).values(
        "contact_id"
    )
    in_published, in_shadow = Q(pk__in=published_ids), Q(pk__in=shadow_ids)
    counts = Contact.objects.aggregate(
        published=Count("pk", filter=in_published),
        shadow=Count("pk", filter=in_shadow),
        overlap=Count("pk", filter=in_published & in_shadow),
    )
    only_shadow = Contact.objects.filter(in_shadow).exclude(in_published)
    became = dict(only_shadow.values_list("stage").annotate(n=Count("pk")).order_by("stage"))
    per_owner = (
        Contact.objects.filter(in_published | in_shadow)
        .values("owner")
        .annotate(published=Count("pk", filter=in_published), shadow=Count("pk", filter=in_shadow))
        .order_by("owner")
    )
    owners = {
        user.pk: user
        for user in get_user_model().objects.filter(
            pk__in=[row["owner"] for row in per_owner if row["owner"]]
        )
    }
    load = [
        {
            "owner": row["owner"],
            "name": _rep(owners.get(row["owner"])),
            "published": row["published"],
            "shadow": row["shadow"],
        }
        for row in per_owner
    ]
    return Comparison(
        ruleset=version,
        since=since,
        until=until,
        running=version.shadow_until is None and version.state == RuleSetState.SHADOW,
        build=ShadowJob.objects.filter(ruleset=version).first(),
        published=counts["published"],
        shadow=counts["shadow"],
        overlap=counts["overlap"],
        only_published=counts["published"] - counts["overlap"],
        only_shadow=counts["shadow"] - counts["overlap"],
        only_shadow_became=became,
        load=sorted(load, key=lambda row: (-row["shadow"] - row["published"], row["name"])),
        only_shadow_sample=list(only_shadow.select_related("owner").order_by("-pk")[:SAMPLE]),
    )
