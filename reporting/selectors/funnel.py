"""
The funnel report: how many contacts reached each stage, the conversion between consecutive
stages (reached B / reached A) and what each stage cost, per group and in total.

Counting reads the contacts' first-reached times (``lead_at`` ... ``client_at``): a skipped
stage carries the time of the move that skipped it, so a skip counts as a pass, and recycled,
lost and erased contacts keep their times, so they are counted like everyone else.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import Count, DateField, F, Q
from django.db.models.functions import Sign, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from leads.models import Campaign, Contact
from leads.stages import FUNNEL, Stage

from ..definitions import note
from ..periods import Period
from ..rollups import CREDITS, REACHED, rollups_ready
from .attribution import Attribution, credits
from .cells import CELL_GROUPS, cells_summed
from .scope import NO_FILTER, GroupBy, Scope, Team, group_key, group_labels, ordered_keys, rate
from .spend import SpendShare, prorated_campaigns, spend_shares

COUNTED: tuple[Stage, ...] = (Stage.CONTACT, *FUNNEL)
# A contact is "reached" when first seen (its creation, or earlier activity synced to it).
REACHED_AT = {
    Stage.CONTACT: "first_seen_at",
    **{stage: f"{stage.value}_at" for stage in FUNNEL},
}
CENT = Decimal("0.01")


class Mode(models.TextChoices):
    COHORT = "cohort", _("Cohort")
    PERIOD = "period", _("Period")


MODE_HELP = {Mode.COHORT: note("cohort"), Mode.PERIOD: note("period")}


@dataclass(frozen=True)
class Step:
    """Two stages of the funnel and the team that owns getting contacts from one to the other."""

    source: Stage
    target: Stage
    team: Team

    @property
    def name(self) -> str:
        return f"{self.source.value}_to_{self.target.value}"


STEPS = (
    Step(Stage.CONTACT, Stage.LEAD, Team.MARKETING),
    Step(Stage.LEAD, Stage.MQL, Team.MARKETING),
    Step(Stage.MQL, Stage.SQL, Team.SALES),
    Step(Stage.SQL, Stage.QSO, Team.SALES),
    Step(Stage.QSO, Stage.CLIENT, Team.SALES),
    Step(Stage.LEAD, Stage.CLIENT, Team.BOTH),  # overall
)


@dataclass
class FunnelLine:
    key: str | None
    label: str
    counts: dict[str, int | Decimal]  # credits (decimals) per campaign but with first touch
    rates: dict[str, float | None]
    spend: Decimal | None
    currency: str | None
    spend_prorated: bool
    cost: dict[str, Decimal | None]


@dataclass
class FunnelReport:
    period: Period
    mode: Mode
    group_by: GroupBy | None
    groups: list[FunnelLine]
    total: FunnelLine
    notes: list[str]

    @property
    def mode_help(self) -> str:
        return MODE_HELP[self.mode]

    @property
    def steps(self) -> tuple[Step, ...]:
        return STEPS


@dataclass
class _Tally:
    """What one group adds up: stage counts, the counts attributed to a campaign, spend."""

    counts: Counter = field(default_factory=Counter)
    attributed: Counter = field(default_factory=Counter)
    shares: list[SpendShare] = field(default_factory=list)

    def add(self, counts: Counter, campaign_id: int | None) -> None:
        self.counts.update(counts)
        self.credit(counts, campaign_id)

    def credit(self, counts: Counter, campaign_id: int | None) -> None:
        if campaign_id is not None:
            self.attributed.update(counts)


def funnel_report(
    *,
    period: Period,
    mode: Mode = Mode.COHORT,
    group_by: GroupBy | None = None,
    scope: Scope = NO_FILTER,
    attribution: Attribution = Attribution.FIRST,
    today: date | None = None,
) -> FunnelReport:
    """Counts, rates and cost per stage for each group of ``group_by`` and in total.

    Cost per stage is the campaigns' spend in the range divided by the contacts attributed
    to them that reached the stage: the contact's campaign (first touch), or with another
    ``attribution`` the sum of the credits its touches earned (``selectors.attribution``),
    which per campaign are the counts too. It is not given per sales rep, nor when the
    report is limited to one rep: campaign spend cannot be split between reps.
    """
    today = today or timezone.localdate()
    if attribution == Attribution.FIRST:
        reached = credit = _reached(period, mode, group_by, scope)
    else:
        credit = _credited(period, mode, group_by, scope, attribution)
        reached = (
            _reached(period, mode, group_by, scope)
            if group_by == GroupBy.OWNER  # the credits are not kept per rep
            else _counted(credit)
        )
    costed = scope.owner is None
    shares = (
        list(spend_shares(period, scope, by_month=group_by == GroupBy.MONTH, today=today))
        if costed
        else []
    )
    total, tallies = _tally(group_by, reached, credit, shares)
    if group_by == GroupBy.MONTH:
        for part in period.months():
            tallies[group_key(group_by, part.start)]  # every month shows, even an empty one
    labels = group_labels(group_by, tallies)
    groups = [
        _line(key, labels[key], tallies[key], costed=costed and group_by != GroupBy.OWNER)
        for key in ordered_keys(group_by, labels)
    ]
    per_rep = not costed or group_by == GroupBy.OWNER
    return FunnelReport(
        period=period,
        mode=mode,
        group_by=group_by,
        groups=groups,
        total=_line(None, "Total", total, costed=costed),
        notes=_notes(mode, shares, [total, *tallies.values()], per_rep=per_rep),
    )


def _reached(
    period: Period, mode: Mode, group_by: GroupBy | None, scope: Scope
) -> dict[tuple, Counter]:
    """Stage counts per (group value, campaign id), counted by the database.

    In cohort mode one query counts, among the contacts first seen in the range, those with each
    ``<stage>_at`` set. In period mode each stage is counted on its own column (one indexed
    query per stage), so that grouping by month puts each stage in the month it was reached.
    Campaign and channel groups are folded from the campaign ids afterwards: a few hundred
    aggregated rows rather than a join with the campaigns on every contact. On PostgreSQL the
    same counts are read from the rollup's cells (``reporting.rollups``) instead.
    """
    reached: dict[tuple, Counter] = defaultdict(Counter)
    if rollups_ready(period.tz):
        # Outside campaign and channel groups only whether a contact came from a campaign
        # matters (for the cost): every campaign folds into one source, 1.
        by_campaign = group_by in (GroupBy.CAMPAIGN, GroupBy.CHANNEL)
        keys = {"source": F("campaign_id") if by_campaign else Sign("campaign_id")}
        if (key := _cell_key(group_by)) is not None:
            keys["key"] = key
        cells = cells_summed(
            REACHED, period=period, scope=scope, fields=("stage",), keys=keys, where=Q(mode=mode)
        )
        for row in cells:
            reached[(row.get("key"), row["source"])][Stage(row["stage"])] = row["total"]
        return reached
    contacts = scope.apply(Contact.objects.counted())  # erased ones too, merged ones once
    for column, stages in _columns(mode).items():
        in_range = contacts.filter(period.covers(column))
        keys = {"source": F("campaign_id")}
        if (key := _db_key(group_by, column, period.tz)) is not None:
            keys["key"] = key
        counts = {f"n_{stage.value}": Count(REACHED_AT[stage]) for stage in stages}
        for row in in_range.values(**keys).annotate(**counts).order_by():
            reached[(row.get("key"), row["source"])].update(
                {stage: row[f"n_{stage.value}"] for stage in stages}
            )
    return reached


def _counted(credit: dict[tuple, Counter]) -> dict[tuple, Counter]:
    """The contacts that reached each stage, per group, from their credits alone.

    A contact's credits for a stage add up to 1 (to "no campaign" when no touch came before
    its entry), so their sum over the campaigns, rounded off the last decimal places the
    shares were kept to, is the count: a multi-touch report need not read the stage counts
    too, which per campaign and rep are the larger of the two reads.
    """
    summed: dict[tuple, Counter] = defaultdict(Counter)
    for (value, _campaign), counts in credit.items():
        summed[(value, None)].update(counts)
    return {
        group: Counter({stage: round(n) for stage, n in counts.items()})
        for group, counts in summed.items()
    }


def _columns(mode: Mode) -> dict[str, list[Stage]]:
    """The column each query filters on and the stages it counts: one query in cohort mode
    (the contacts first seen in the range), one per stage in period mode."""
    if mode == Mode.COHORT:
        return {REACHED_AT[Stage.CONTACT]: list(COUNTED)}
    return {REACHED_AT[stage]: [stage] for stage in COUNTED}


def _credited(
    period: Period, mode: Mode, group_by: GroupBy | None, scope: Scope, model: Attribution
) -> dict[tuple, Counter]:
    """The credit of each stage per (group value, campaign id), as ``_reached`` counts: on
    PostgreSQL from the rollup of credits, elsewhere (and for a report limited to a
    campaign, a channel or a rep, which the credit cells do not tell apart) by the
    attribution statement over the contacts in the range."""
    found: dict[tuple, Counter] = defaultdict(Counter)
    if scope == NO_FILTER and rollups_ready(period.tz):
        keys: dict[str, Any] = {"source": F("credited_id")}
        if group_by == GroupBy.MONTH:
            keys["key"] = CELL_GROUPS[group_by]
        cells = cells_summed(
            CREDITS,
            period=period,
            scope=scope,
            fields=("stage",),
            keys=keys,
            where=Q(mode=mode, model=model),
        )
        for row in cells:
            found[(row.get("key"), row["source"])][Stage(row["stage"])] = row["total"]
        return found
    contacts = scope.apply(Contact.objects.counted())
    for column, stages in _columns(mode).items():
        key = _db_key(group_by, column, period.tz)
        reached_at = {stage: REACHED_AT[stage] for stage in stages}
        in_range = contacts.filter(period.covers(column))
        for group, counts in credits(in_range, reached_at, model, key).items():
            found[group].update(counts)
    return found


def _cell_key(group_by: GroupBy | None):
    """The group of a rollup cell: its owner, or the month of its day (campaign and channel
    groups are folded from the source)."""
    return CELL_GROUPS[group_by] if group_by in (GroupBy.OWNER, GroupBy.MONTH) else None


def _db_key(group_by: GroupBy | None, column: str, tz: tzinfo):
    if group_by == GroupBy.OWNER:
        return F("owner_id")
    if group_by == GroupBy.MONTH:
        return TruncMonth(column, tzinfo=tz, output_field=DateField())
    return None


def _tally(
    group_by: GroupBy | None,
    reached: dict[tuple, Counter],
    credit: dict[tuple, Counter],
    shares: list[SpendShare],
) -> tuple[_Tally, dict[str | None, _Tally]]:
    """Fold the counted rows, the credits and the spend shares into the total and into each
    group. Campaign and channel groups count credits (with first touch, the contacts whose
    campaign it is); month and rep groups count contacts, and a month's credits give its
    cost (a rep's line has none: spend is not split between reps)."""
    total, tallies = _Tally(), defaultdict[Any, _Tally](_Tally)
    by_campaign = group_by in (GroupBy.CAMPAIGN, GroupBy.CHANNEL)
    channel_of: dict[int, str] = {}
    if group_by == GroupBy.CHANNEL:
        campaigns = Campaign.objects.filter(pk__in={campaign for _, campaign in credit})
        channel_of = dict(campaigns.values_list("pk", "channel"))
    for (value, _campaign), counts in reached.items():
        total.counts.update(counts)
        if group_by is not None and not by_campaign:
            tallies[group_key(group_by, value)].counts.update(counts)
    for (value, campaign), counts in credit.items():
        if by_campaign:
            by = campaign if group_by == GroupBy.CAMPAIGN else channel_of.get(campaign)
            tallies[group_key(group_by, by)].add(counts, campaign)
        elif group_by == GroupBy.MONTH:
            tallies[group_key(group_by, value)].credit(counts, campaign)
        total.credit(counts, campaign)
    for share in shares:
        total.shares.append(share)
        by = {
            GroupBy.CAMPAIGN: share.campaign_id,
            GroupBy.CHANNEL: share.channel,
            GroupBy.MONTH: share.month,
        }
        if group_by in by:
            tallies[group_key(group_by, by[group_by])].shares.append(share)
    return total, tallies


def _line(key: str | None, label: str, tally: _Tally, *, costed: bool) -> FunnelLine:
    counts: dict[str, int | Decimal] = {stage.value: tally.counts[stage] for stage in COUNTED}
    currencies = {share.currency for share in tally.shares}
    spend = None
    if costed and len(currencies) == 1:
        spend = sum((share.amount for share in tally.shares), Decimal(0))
    return FunnelLine(
        key=key,
        label=label,
        counts=counts,
        rates={step.name: rate(counts[step.target], counts[step.source]) for step in STEPS},
        spend=_cents(spend),
        currency=currencies.pop() if spend is not None else None,
        spend_prorated=spend is not None and bool(prorated_campaigns(tally.shares)),
        cost={stage.value: _per(spend, tally.attributed[stage]) for stage in FUNNEL},
    )


def _per(spend: Decimal | None, count: int) -> Decimal | None:
    return None if spend is None or not count else _cents(spend / count)


def _cents(amount: Decimal | None) -> Decimal | None:
    return None if amount is None else amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _notes(
    mode: Mode, shares: list[SpendShare], tallies: list[_Tally], *, per_rep: bool
) -> list[str]:
    notes = [MODE_HELP[mode], note("cost")]
    prorated = prorated_campaigns(shares)
    if prorated:
        notes.append(
            f"Spend of {len(prorated)} campaign(s) that ran partly inside the range is "
            "prorated by days (a campaign with no end date runs to today)."
        )
    if per_rep or any(len({share.currency for share in tally.shares}) > 1 for tally in tallies):
        notes.append(
            gettext(
                "No cost is given where spend cannot be divided: per sales rep, or across "
                "campaigns in different currencies."
            )
        )
    return notes
