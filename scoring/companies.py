"""
Company (account) scores: a company's fit and engagement come from its contacts' figures,
as the settings say (the sum, the best contact, or the average of the best N: one very
engaged intern should not outweigh three interested buyers). A company whose score reaches
the MQA threshold is a marketing-qualified account, and is handed to sales once per
crossing (``companies_qualified``). Everything here is one statement per step.
"""

from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from leads.companies import COMPANIES, CONTACTS, companies_link

from .models import CompanyAggregate, ScoringSettings
from .signals import companies_qualified


def _aggregate(settings: ScoringSettings) -> tuple[str, str]:
    """SQL for a company's fit and engagement over the ranked rows ``r`` of its contacts."""
    if settings.company_aggregate == CompanyAggregate.SUM:
        return "SUM(r.fit_score)", "SUM(r.engagement_score)"
    if settings.company_aggregate == CompanyAggregate.MAX:
        return "MAX(r.fit_score)", "MAX(r.engagement_score)"
    n = int(settings.company_top_n)
    return (
        f"CAST(FLOOR(AVG(CASE WHEN r.by_fit <= {n} THEN r.fit_score END) + 0.5) AS INTEGER)",
        f"CAST(FLOOR(AVG(CASE WHEN r.by_engagement <= {n} THEN r.engagement_score END) + 0.5)"
        " AS INTEGER)",
    )


def _score(settings: ScoringSettings, now: datetime) -> None:
    fit, engagement = _aggregate(settings)
    ranked = f"""
        SELECT account_id, fit_score, engagement_score,
               ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY fit_score DESC, id)
                 AS by_fit,
               ROW_NUMBER() OVER (PARTITION BY account_id ORDER BY engagement_score DESC, id)
                 AS by_engagement
        FROM {CONTACTS} WHERE account_id IS NOT NULL AND erased_at IS NULL
    """
    figures = f"""
        SELECT f.*, f.fit + f.eng AS total FROM (
            SELECT k.id, COUNT(r.account_id) AS n, COALESCE({fit}, 0) AS fit,
                   COALESCE({engagement}, 0) AS eng
            FROM {COMPANIES} k LEFT JOIN ({ranked}) AS r ON r.account_id = k.id
            GROUP BY k.id) AS f
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {COMPANIES} SET contact_count = a.n, fit_score = a.fit,
                   engagement_score = a.eng, score = a.total, scored_at = %s
            FROM ({figures}) AS a
            WHERE {COMPANIES}.id = a.id
              AND ({COMPANIES}.contact_count <> a.n OR {COMPANIES}.fit_score <> a.fit
                   OR {COMPANIES}.engagement_score <> a.eng
                   OR {COMPANIES}.scored_at IS NULL)
            """,
            [now],
        )


def _qualify(settings: ScoringSettings, now: datetime) -> list[int]:
    """Mark the companies over the MQA line, unmark those below it (a later crossing hands
    the account over again); returns the companies that crossed."""
    line = settings.mqa_threshold
    with connection.cursor() as cursor:
        if line is None:
            cursor.execute(f"UPDATE {COMPANIES} SET mqa_at = NULL WHERE mqa_at IS NOT NULL")
            return []
        cursor.execute(
            f"UPDATE {COMPANIES} SET mqa_at = NULL WHERE mqa_at IS NOT NULL AND score < %s",
            [line],
        )
        cursor.execute(
            f"UPDATE {COMPANIES} SET mqa_at = %s WHERE mqa_at IS NULL AND score >= %s "
            "AND contact_count > 0 RETURNING id",
            [now, line],
        )
        return sorted(row[0] for row in cursor.fetchall())


def companies_score(*, now: datetime | None = None) -> list[int]:
    """Group the contacts into companies, score every company, hand over the new MQAs.
    Returns the ids of the companies that became MQAs."""
    now = now or timezone.now()
    companies_link()
    settings = ScoringSettings.load()
    with transaction.atomic():
        _score(settings, now)
        crossed = _qualify(settings, now)
        if crossed:
            companies_qualified.send(sender=ScoringSettings, company_ids=crossed, at=now)
    return crossed
