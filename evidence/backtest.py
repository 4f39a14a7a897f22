"""
The backtest: what a rule set would have done over a period, against what really happened.

For each candidate, the replay (``evidence.replay.crossings``) gives the moment each contact
would first have passed the MQL test. Over the period this module counts, per month and in
total:

- the MQLs it would have produced: contacts whose first crossing falls in the period while
  they were still on marketing's side (sales had not taken them yet, not disqualified);
- how many of those later reached SQL, QSO and client (the precision of the rule set);
- of the contacts sales took (SQL) during the period, and of the clients among them, how
  many the rule set had handed over before sales took them (recall), and how much earlier
  than the real hand-off (days gained; negative: later);
- the load on sales: MQLs per rep per week, on average and in the busiest week, and per SLA
  window (the hours a rep has to answer each MQL), beside the real load.

"What really happened" is counted the same way from the contacts' real MQL times
(``mql_at``), so its monthly MQLs are the funnel report's (a skipped MQL stage counts, dated
at the skip). A fast-tracked contact was never handed over by marketing, so it is not
"caught" there: the real recall is the share of SQLs that came through the MQL hand-off.
Outcomes are as of now; a contact counts once, at its first crossing.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model

from leads.stages import Role, Stage
from reporting.periods import Period, month_key
from reporting.selectors.scope import rate
from sla.selectors import mql_sla_hours

from . import replay, sql
from .candidates import Candidate

STAGES = ("sql", "qso", "client")
ACTUAL = "What really happened"
ACTUAL_SOURCE = (
    f"(SELECT id AS contact_id, mql_at AS crossed_at FROM {sql.CONTACTS} WHERE mql_at IS NOT NULL)"
)


def _period_params(period: Period) -> list:
    return [sql.now_param(period.start_at), sql.now_param(period.end_at)]


def _daily(source: str, period: Period) -> dict[date, Counter]:
    """MQLs per day of the period from a ``(contact_id, crossed_at)`` source, and how many
    of them reached each later stage."""
    day, day_params = sql.local_date("x.crossed_at")
    reached = ", ".join(
        f"SUM(CASE WHEN c.{stage}_at IS NOT NULL THEN 1 ELSE 0 END)" for stage in STAGES
    )
    rows = sql.fetch(
        f"SELECT {day} AS day, COUNT(*), {reached} FROM {source} x "
        f"JOIN {sql.CONTACTS} c ON c.id = x.contact_id "
        "WHERE x.crossed_at >= %s AND x.crossed_at < %s "
        "AND (c.sql_at IS NULL OR c.sql_at >= x.crossed_at) "
        "AND NOT (c.stage = %s AND c.stage_changed_at <= x.crossed_at) "
        "GROUP BY 1",
        [*day_params, *_period_params(period), Stage.DISQUALIFIED.value],
    )
    return {
        date.fromisoformat(str(row[0])[:10]): Counter(
            dict(zip(("mql", *STAGES), map(int, row[1:]), strict=True))
        )
        for row in rows
    }


def _median(histogram: dict[float, int]) -> float | None:
    total = sum(histogram.values())
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if 2 * seen >= total:
            return value
    return None


def _recall(source: str, period: Period) -> dict[str, Any]:
    """Of the contacts that reached SQL in the period (and of the clients among them), how
    many had crossed before sales took them, and how much earlier than their real MQL time
    (to a tenth of a day, counted by the database)."""
    caught = "x.crossed_at < c.sql_at"
    days = f"{sql.rounded(sql.seconds_between('x.crossed_at', 'c.mql_at') + ' / 8640.0')} / 10.0"
    rows = sql.fetch(
        "SELECT CASE WHEN c.client_at IS NOT NULL THEN 1 ELSE 0 END AS won, "
        f"CASE WHEN {caught} THEN 1 ELSE 0 END AS early, "
        f"CASE WHEN {caught} THEN {days} END AS gained, COUNT(*) "
        f"FROM {sql.CONTACTS} c LEFT JOIN {source} x ON x.contact_id = c.id "
        "WHERE c.sql_at >= %s AND c.sql_at < %s GROUP BY 1, 2, 3",
        _period_params(period),
    )
    reached: Counter[str] = Counter()
    found: Counter[str] = Counter()
    gained: dict[str, dict[float, int]] = {"sql": defaultdict(int), "client": defaultdict(int)}
    for won, early, days_gained, n in rows:
        for stage in ("sql", "client") if won else ("sql",):
            reached[stage] += n
            found[stage] += n * early
            if days_gained is not None:
                gained[stage][float(days_gained)] += n
    return {
        stage: {
            "reached": reached[stage],
            "caught": found[stage],
            "rate": rate(found[stage], reached[stage]),
            "median_days_gained": _median(gained[stage]),
        }
        for stage in ("sql", "client")
    }


def _months(period: Period, daily: dict[date, Counter]) -> list[dict[str, Any]]:
    months = []
    for part in period.months():
        counts = sum((n for day, n in daily.items() if part.start <= day <= part.end), Counter())
        months.append(
            {"month": month_key(part.start), "label": f"{part.start:%B %Y}", "mqls": counts["mql"]}
            | {stage: counts[stage] for stage in STAGES}
        )
    return months


def _load(period: Period, daily: dict[date, Counter], reps: int, sla_hours: float) -> dict:
    """MQLs per rep: per week on average and in the busiest week (weeks from the period's
    first day), and per SLA window (the time a rep has to answer each)."""
    weeks: dict[int, int] = defaultdict(int)
    for day, counts in daily.items():
        weeks[(day - period.start).days // 7] += counts["mql"]
    per_week = sum(weeks.values()) / (period.days / 7)

    def per_rep(n: float) -> float | None:
        return round(n / reps, 2) if reps else None

    return {
        "per_week": round(per_week, 2),
        "per_rep_per_week": per_rep(per_week),
        "peak_week_per_rep": per_rep(max(weeks.values(), default=0)),
        "per_rep_per_sla_window": per_rep(per_week * sla_hours / (7 * 24)),
    }


def summary(name: str, source: str, period: Period, reps: int, sla_hours: float) -> dict:
    """One column of the backtest: a ``(contact_id, crossed_at)`` source over the period."""
    daily = _daily(source, period)
    totals = sum(daily.values(), Counter())
    return {
        "name": name,
        "mqls": totals["mql"],
        "became": {stage: totals[stage] for stage in STAGES},
        "precision": {stage: rate(totals[stage], totals["mql"]) for stage in STAGES},
        "recall": _recall(source, period),
        "load": _load(period, daily, reps, sla_hours),
        "months": _months(period, daily),
    }


def active_reps() -> int:
    """The sales team that would work the MQLs: active members of the sales group."""
    return get_user_model().objects.filter(is_active=True, groups__name=Role.SALES).count()


def backtest_report(
    *,
    candidates: list[Candidate],
    period: Period,
    now: datetime,
    progress: Callable[[str], None] = lambda step: None,
) -> dict[str, Any]:
    """Each candidate beside what really happened over ``period`` (JSON-ready)."""
    reps, sla_hours = active_reps(), mql_sla_hours()
    progress("What really happened")
    actual = summary(ACTUAL, ACTUAL_SOURCE, period, reps, sla_hours)
    columns = [actual]

    def replaying(part: int) -> None:
        progress(f"Replaying the rule sets: contacts, part {part + 1} of {replay.PARTS}")

    if candidates:
        until = min(period.end_at, now)
        with sql.more_memory(), replay.crossings(candidates, until, replaying) as table:
            for n, candidate in enumerate(candidates):
                column = summary(candidate.name, replay.crossed(table, n), period, reps, sla_hours)
                column["load"]["vs_actual"] = rate(column["mqls"], actual["mqls"])
                columns.append(column | {"candidate": candidate.as_json()})
    return {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "reps": reps,
        "sla_hours": sla_hours,
        "columns": columns,
    }


STEPS = 1 + replay.PARTS
