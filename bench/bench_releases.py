"""Releases: who a publish would make MQL, before confirming (the publish page's list).

A draft of the rules in use with a lower MQL line is previewed three times (the median is
reported), then put in shadow and previewed again (read off its shadow parts). The floor
in the same run is one pass over every contact's score (``SELECT COUNT(*) … WHERE score >=
line``), what any answer about everyone costs at least.
"""

import statistics
import time

from .results import Result


def run(contacts: int) -> list[Result]:
    from django.db import connection

    from leads.models import Contact
    from scoring import releases, selectors, shadow

    draft = releases.ruleset_draft(by=None, name="Bench preview")
    draft = releases.ruleset_update(ruleset=draft, mql_threshold=40, hot_threshold=150)
    rules = draft.rules.count()
    try:
        seconds, found = [], None
        for _ in range(3):
            started = time.perf_counter()
            found = selectors.publish_preview(draft)
            seconds.append(time.perf_counter() - started)
        shadow.build_run(job_id=releases.shadow_start(ruleset=draft, by=None).pk)
        draft.refresh_from_db()
        shadowed = []
        for _ in range(3):
            started = time.perf_counter()
            selectors.publish_preview(draft)
            shadowed.append(time.perf_counter() - started)
        releases.shadow_stop(ruleset=draft)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {Contact._meta.db_table} WHERE score >= %s", [40]
            )
            cursor.fetchone()
        floor = time.perf_counter() - started
    finally:
        releases.ruleset_delete(ruleset=draft)
    median = statistics.median(seconds)
    return [
        Result(
            "publish preview: who a draft would make MQL",
            median,
            "s",
            "< 30 s",
            f"median of 3; {found.to_mql:,} contacts, {rules} rules",
        ),
        Result(
            "publish preview of the same version in shadow",
            statistics.median(shadowed),
            "s",
            "< 1 s",
            "median of 3, read off its shadow parts",
        ),
        Result("one pass over every contact's score (floor)", floor, "s"),
    ]
