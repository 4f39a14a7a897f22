"""
The per-rule counters (``ContactRuleScore``) of a batch's contacts, read before an event
batch is scored in memory (``scoring.engine``) and written back after: the same for the
published version and for a version in shadow.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from .engine import Counter
from .models import ContactRuleScore, Rule
from .sql import decay_factor


def counters_load(
    contact_ids: Iterable[int],
    rules: Mapping[int, Rule],
    half_life: float | None,
    now: datetime,
) -> dict[tuple[int, int], Counter]:
    """The contacts' counters of ``rules`` (by id), their decayed value aged to ``now``."""
    rows = ContactRuleScore.objects.filter(contact_id__in=contact_ids, rule_id__in=rules.keys())
    return {
        (row.contact_id, row.rule_id): Counter(
            times=row.times,
            value=row.value
            * decay_factor(
                (now - row.as_of).total_seconds(),
                half_life if rules[row.rule_id].decays else None,
            ),
        )
        for row in rows
    }


def counters_save(counters: Mapping[tuple[int, int], Counter], now: datetime) -> None:
    """Write the counters the batch changed, valid at ``now``."""
    ContactRuleScore.objects.bulk_create(
        [
            ContactRuleScore(
                contact_id=contact_id, rule_id=rule_id, times=c.times, value=c.value, as_of=now
            )
            for (contact_id, rule_id), c in counters.items()
            if c.changed
        ],
        update_conflicts=True,
        unique_fields=["contact", "rule"],
        update_fields=["times", "value", "as_of"],
    )
