"""
Who an analysis of signals looks at, and up to when it looks at what they did.

The population is the contacts who became leads (showed engagement) in the period. Each is
observed up to an *observation point*, and only what it did before that point counts as a
signal: what people do once a rep is talking to them says nothing about how to spot them
earlier, and would make any event that follows a sale look like a perfect predictor.

- A contact that reached SQL is observed up to the moment sales took it.
- Any other contact is observed up to a moment drawn from the same distribution of "time
  from lead to SQL" as the converted ones (one of ``QUANTILES`` quantiles, picked by its id
  modulo ``QUANTILES``: ids follow creation, not outcomes). Observing them all up to now
  instead would compare converted contacts caught in the middle of their activity with
  others seen long after theirs ended: every "recently active" signal would look like a
  strong driver, and the others, seen for longer, would seem to do more of everything.
- Nobody is observed beyond ``window_days`` after becoming a lead. A lead that has not
  reached SQL and whose moment is still to come is left out: it has not been seen as long
  as the others yet (observing it up to now would give it fewer events than anyone, and
  make every event look like a sign of conversion).

Outcomes (reached SQL, became a client) are as of now, whenever they happened.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, Mod

from leads.models import Contact
from reporting.periods import Period

from . import sql
from .models import Target

# Quantiles of the converted contacts' time to SQL that the others are observed at.
QUANTILES = 20
OUTCOME = {Target.SQL: "y_sql", Target.CLIENT: "y_client"}


@dataclass(frozen=True)
class Observation:
    period: Period
    window_days: int
    now: datetime
    # Contacts who became leads from this moment on are held out (tested on, not learned from).
    holdout_from: datetime | None = None

    @property
    def window(self) -> timedelta:
        return timedelta(days=self.window_days)

    def leads(self) -> QuerySet[Contact]:
        return Contact.objects.filter(
            self.period.covers("lead_at"), lead_at__lt=self.now
        ).order_by()


def times_to_sql(observation: Observation) -> list[timedelta]:
    """The mean time from lead to SQL in each of ``QUANTILES`` equal groups of the converted
    contacts (capped at the window), counted by the database; the window when nobody
    converted."""
    converted = observation.leads().filter(sql_at__isnull=False).values("lead_at", "sql_at")
    select, params = converted.query.sql_with_params()
    delay = sql.seconds_between("c.lead_at", "c.sql_at")
    rows = sql.fetch(
        f"SELECT AVG(d) FROM (SELECT d, NTILE({QUANTILES}) OVER (ORDER BY d) AS q "
        f"FROM (SELECT {delay} AS d FROM ({select}) AS c) AS x) AS t GROUP BY q ORDER BY q",
        params,
    )
    window = observation.window.total_seconds()
    seconds = [min(window, max(0.0, float(mean))) for (mean,) in rows] or [window]
    return [timedelta(seconds=seconds[n % len(seconds)]) for n in range(QUANTILES)]


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


@contextmanager
def population(observation: Observation) -> Iterator[str]:
    """A scratch table ``(contact_id, obs, y_sql, y_client, holdout)``."""
    delays = times_to_sql(observation)
    matched = Case(
        *[When(bucket=n, then=Value(delay)) for n, delay in enumerate(delays)],
        output_field=DurationField(),
    )
    holdout_from = observation.holdout_from or observation.period.end_at
    contacts = (
        observation.leads()
        .annotate(bucket=Mod(F("pk"), QUANTILES))
        .annotate(
            delay=matched,
            y_sql=_flag(Q(sql_at__isnull=False)),
            y_client=_flag(Q(client_at__isnull=False)),
            holdout=_flag(Q(lead_at__gte=holdout_from)),
        )
        .annotate(matched=ExpressionWrapper(F("lead_at") + F("delay"), DateTimeField()))
        .filter(Q(sql_at__isnull=False) | Q(matched__lte=observation.now))
        .annotate(
            obs=Least(
                Coalesce("sql_at", "matched"),
                ExpressionWrapper(F("lead_at") + observation.window, DateTimeField()),
            )
        )
        .values_list("id", "obs", "y_sql", "y_client", "holdout")
    )
    select, params = contacts.query.sql_with_params()
    with sql.scratch_table(
        f"SELECT id AS contact_id, obs, y_sql, y_client, holdout FROM ({select}) AS q", params
    ) as table:
        yield table


def counts(population_table: str, target: Target, where: str = "1 = 1") -> tuple[int, int]:
    """(contacts, of whom reached the target) among the population's rows that meet
    ``where`` (SQL over ``p``)."""
    ((contacts, reached),) = sql.fetch(
        f"SELECT COUNT(*), COALESCE(SUM(p.{OUTCOME[target]}), 0) FROM {population_table} p "
        f"WHERE {where}"
    )
    return int(contacts), int(reached)


@contextmanager
def subset(population_table: str, where: str) -> Iterator[str]:
    """A scratch table with the population's rows that meet ``where`` (SQL over ``p``)."""
    with sql.scratch_table(f"SELECT * FROM {population_table} p WHERE {where}") as table:
        yield table
