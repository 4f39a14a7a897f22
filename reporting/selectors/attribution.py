"""
Multi-touch attribution: how each stage a contact reached is credited to the campaigns whose
touches came before it (``leads.models.Touch``).

For each stage a contact reached, its credit of 1 is spread over its touches up to the moment
it entered the stage, by the model's weights, then divided by their sum so that it adds up to
exactly 1 per contact and stage:

- ``first``: all to the first touch; ``last``: all to the last touch up to the entry;
- ``linear``: equal shares;
- ``u_shaped``: 40 % to the first touch, 40 % to the lead-making one (the last up to the
  contact's lead entry), 20 % shared by the rest;
- ``w_shaped``: 30 % first, 30 % lead-making, 30 % the last touch up to the MQL entry, 10 %
  shared by the rest;
- ``time_decay``: a weight that halves every ``HALF_LIFE_DAYS`` before the entry.

Where one touch holds two positions its shares add; a position nobody holds (no touch after
the first; for a stage entered before the MQL, the MQL's touch) leaves its share out and the
others grow in proportion. A
contact with no touch before the entry credits "no campaign" with its 1.

One SQL statement per stage column, run by the database over every contact and touch in the
range: window functions number each contact's touches and find the positions, a GROUP BY sums
the credits per campaign (and per month or rep when the report is grouped so).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from leads.models import Campaign, Contact, Touch
from leads.stages import FUNNEL, Stage

HALF_LIFE_DAYS = 7


class Attribution(models.TextChoices):
    FIRST = "first", _("First touch")
    LAST = "last", _("Last touch")
    LINEAR = "linear", _("Linear")
    U_SHAPED = "u_shaped", _("U-shaped (40/20/40)")
    W_SHAPED = "w_shaped", _("W-shaped (30/30/30/10)")
    TIME_DECAY = "time_decay", _("Time decay (7-day half-life)")


# The models whose credits are kept in a rollup: first touch is the contact's own campaign.
MULTI_TOUCH = tuple(model for model in Attribution if model != Attribution.FIRST)

# Each model's weight of one touch before it is divided by the contact's sum: ``rn`` is the
# touch's place (1 = first), ``n`` how many there are, ``lead_rn``/``mql_rn`` the places of the
# lead-making touch and of the last one up to the MQL, ``rest`` how many hold no position.
FIRST_W = "CASE WHEN rn = 1 THEN 1.0 ELSE 0.0 END"
POSITIONS = {
    Attribution.FIRST: FIRST_W,
    Attribution.LAST: "CASE WHEN rn = n THEN 1.0 ELSE 0.0 END",
    Attribution.LINEAR: "1.0",
    Attribution.U_SHAPED: (
        "0.4 * (CASE WHEN rn = 1 THEN 1 ELSE 0 END) "
        "+ 0.4 * (CASE WHEN rn = lead_rn THEN 1 ELSE 0 END) "
        "+ CASE WHEN rn <> 1 AND rn <> COALESCE(lead_rn, 0) THEN 0.2 / rest ELSE 0 END"
    ),
    Attribution.W_SHAPED: (
        "0.3 * (CASE WHEN rn = 1 THEN 1 ELSE 0 END) "
        "+ 0.3 * (CASE WHEN rn = lead_rn THEN 1 ELSE 0 END) "
        "+ 0.3 * (CASE WHEN rn = mql_rn THEN 1 ELSE 0 END) "
        "+ CASE WHEN rn <> 1 AND rn <> COALESCE(lead_rn, 0) AND rn <> COALESCE(mql_rn, 0) "
        "THEN 0.1 / rest ELSE 0 END"
    ),
}
# Which touches hold no position, per model (``rest`` counts them).
NO_POSITION = {
    Attribution.U_SHAPED: "rn <> 1 AND rn <> COALESCE(lead_rn, 0)",
    Attribution.W_SHAPED: ("rn <> 1 AND rn <> COALESCE(lead_rn, 0) AND rn <> COALESCE(mql_rn, 0)"),
}


def _age_days() -> str:
    """Days from the touch to the stage entry, in this database's dialect."""
    if connection.vendor == "postgresql":
        return "EXTRACT(EPOCH FROM (entered - at)) / 86400.0"
    return "(julianday(entered) - julianday(at))"


def weight_sql(model: Attribution) -> str:
    """One touch's weight under ``model`` before it is divided by the contact's sum, as SQL
    over the columns ``rn``, ``n``, ``lead_rn``, ``mql_rn``, ``rest``, ``at`` and ``entered``
    (shared with the rollup of credits, migration ``reporting.0010``)."""
    if model == Attribution.TIME_DECAY:
        return f"POWER(0.5, ({_age_days()}) / {HALF_LIFE_DAYS}.0)"
    return POSITIONS[model]


def credits(
    contacts: QuerySet[Contact],
    reached_at: dict[Stage, str],
    model: Attribution,
    key: Any = None,
) -> dict[tuple[Any, int | None], Counter]:
    """The credit of ``contacts`` for each stage of ``reached_at`` (the column of the time it
    was reached) they reached, per (group key, campaign id): ``key`` is the expression the
    report groups by (a month, a rep), or None."""
    if not reached_at:
        return {}
    columns = ["id", "lead_at", "mql_at", *reached_at.values()]
    rows = contacts.annotate(group_key=key) if key is not None else contacts
    inner = rows.values(
        *dict.fromkeys(columns), *(["group_key"] if key is not None else [])
    ).order_by()  # the model's default order would sort the whole range for nothing
    sql, params = inner.query.sql_with_params()
    group = "group_key" if key is not None else "NULL"
    entries = " UNION ALL ".join(
        f"SELECT id, {group} AS group_key, '{stage.value}' AS stage, {column} AS entered, "
        f"lead_at, mql_at FROM contacts WHERE {column} IS NOT NULL"
        for stage, column in reached_at.items()
    )
    no_position = NO_POSITION.get(model)
    rest = (
        f"SUM(CASE WHEN touch_id IS NOT NULL AND {no_position} THEN 1 ELSE 0 END) "
        "OVER (PARTITION BY id, stage)"
        if no_position
        else "0"
    )
    touch = Touch._meta.db_table
    statement = f"""
        WITH contacts AS ({sql}),
        entries AS ({entries}),
        numbered AS (
            SELECT e.id, e.group_key, e.stage, e.entered, t.id AS touch_id, t.campaign_id,
                   t.at,
                   (t.at <= e.lead_at AND e.lead_at <= e.entered) AS before_lead,
                   (t.at <= e.mql_at AND e.mql_at <= e.entered) AS before_mql,
                   ROW_NUMBER() OVER (PARTITION BY e.id, e.stage ORDER BY t.at, t.id) AS rn,
                   COUNT(t.id) OVER (PARTITION BY e.id, e.stage) AS n
            FROM entries e
            LEFT JOIN {touch} t ON t.contact_id = e.id AND t.at <= e.entered
        ),
        placed AS (
            SELECT numbered.*,
                   MAX(CASE WHEN before_lead THEN rn END) OVER (PARTITION BY id, stage) AS lead_rn,
                   MAX(CASE WHEN before_mql THEN rn END) OVER (PARTITION BY id, stage) AS mql_rn
            FROM numbered
        ),
        weighed AS (
            SELECT placed.*, {rest} AS rest FROM placed
        ),
        raw AS (
            SELECT group_key, stage, campaign_id, id,
                   CAST(CASE WHEN touch_id IS NULL THEN 1.0 ELSE {weight_sql(model)} END
                        AS DOUBLE PRECISION) AS w
            FROM weighed
        )
        SELECT group_key, stage, campaign_id,
               SUM(w / total) AS credit
        FROM (
            SELECT raw.*, SUM(w) OVER (PARTITION BY id, stage) AS total FROM raw
        ) shares
        WHERE total > 0
        GROUP BY group_key, stage, campaign_id
    """
    found: dict[tuple[Any, int | None], Counter[Any]] = defaultdict(Counter)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for group_key, stage, campaign, credit in cursor.fetchall():
            value = Decimal(str(credit))  # unrounded: a contact's shares add up to 1
            # Counter's stubs say int; it adds Decimal credits as well
            found[(_as_key(group_key), campaign)][Stage(stage)] += value  # type: ignore[assignment]
    return found


def _as_key(value: Any) -> Any:
    """A month as a date on every database (SQLite hands the raw SQL's back as text)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


@dataclass(frozen=True)
class ContactCredit:
    """One contact's touches in order, and per model the credit each campaign gets for the
    furthest stage it reached (``stage``; None before it is a lead)."""

    touches: list[Touch]
    stage: Stage | None
    campaigns: list[tuple[str, list[Decimal | None]]]  # a share per model, in Attribution order


def contact_credit(contact: Contact) -> ContactCredit:
    """What the contact page shows: through ``credits``, the reports' own statement."""
    touches = list(contact.touches.select_related("campaign").order_by("at", "id"))
    reached = [stage for stage in FUNNEL if getattr(contact, f"{stage.value}_at")]
    stage = reached[-1] if reached else None
    by_campaign: dict[int | None, dict[Attribution, Decimal]] = defaultdict(dict)
    if stage is not None:
        one = Contact.objects.filter(pk=contact.pk)
        for model in Attribution:
            for (_, campaign), counts in credits(one, {stage: f"{stage.value}_at"}, model).items():
                by_campaign[campaign][model] = Decimal(counts[stage])
    names = dict(
        Campaign.objects.filter(pk__in=[pk for pk in by_campaign if pk]).values_list("pk", "name")
    )
    ordered = sorted(
        by_campaign.items(),
        key=lambda item: (-item[1].get(Attribution.LINEAR, Decimal(0)), item[0] or 0),
    )
    rows = [
        (
            names.get(pk, "No campaign") if pk else "No campaign",
            [shares.get(m) for m in Attribution],
        )
        for pk, shares in ordered
    ]
    return ContactCredit(touches=touches, stage=stage, campaigns=rows)
