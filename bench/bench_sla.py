"""
The SLA sweep on the generated contacts with 100k running clocks loaded set-based: a sweep
that finds nothing due, one that breaches 10k due clocks (notify: breaches, in-app
notifications for the rep and the manager), and one that reassigns 1k with fresh clocks
(rolled back: it changes owners and history).

    python -m bench --only sla

The 10k sweep is timed twice: the SLA work alone (``breaches_recorded`` receivers muted),
and with the receivers other apps connect (the webhook outbox writes one event per
breach). The clocks, breaches and notifications it creates are removed afterwards.
"""

import statistics
import time
from contextlib import contextmanager, nullcontext
from datetime import datetime

from .results import Result, median_ms

CLOCKS = 100_000
DUE = 10_000
REASSIGNED = 1_000
RUNS = 3
# Owned contacts a rep could still be handed (the MQLs first, so they are the ones due);
# there are not 100k MQLs in the generated data, so the other open stages hold clocks too.
OPEN_STAGES = ("mql", "sql", "qso", "recycled")

_LOAD_CLOCKS = """
INSERT INTO sla_clock (contact_id, policy_id, kind, started_at, due_at)
SELECT id, %(policy)s, %(kind)s, %(now)s - interval '50 hours',
       CASE WHEN n <= %(due)s THEN %(now)s - n * interval '1 second'
            ELSE %(now)s + n * interval '1 second' END
FROM (
    SELECT id, row_number() OVER (ORDER BY stage <> 'mql', id) AS n
    FROM leads_contact
    WHERE owner_id IS NOT NULL AND erased_at IS NULL AND stage IN %(stages)s
    ORDER BY n LIMIT %(clocks)s
) AS chosen
"""


def _reset(policy, now: datetime, due: int) -> None:
    """Remove what a previous run left, then load ``CLOCKS`` running clocks, ``due`` of them
    past their deadline (in one INSERT ... SELECT, the MQLs' clocks due first)."""
    from django.db import connection

    from sla.models import Breach, Clock, Notification

    Notification.objects.filter(breach__policy=policy).delete()
    Breach.objects.filter(policy=policy).delete()
    Clock.objects.filter(policy=policy).delete()
    params = {
        "policy": policy.pk,
        "kind": policy.clock,
        "now": now,
        "due": due,
        "clocks": CLOCKS,
        "stages": OPEN_STAGES,
    }
    with connection.cursor() as cursor:
        cursor.execute(_LOAD_CLOCKS, params)
        cursor.execute("ANALYZE sla_clock")


@contextmanager
def _muted(signal):
    """The signal's receivers switched off for a while: to time the sweep's own work apart
    from what other apps do per breach after the commit (the webhook outbox)."""
    saved = signal.receivers
    signal.receivers = []
    signal.sender_receivers_cache.clear()
    try:
        yield
    finally:
        signal.receivers = saved
        signal.sender_receivers_cache.clear()


def _timed_sweep(policy, now: datetime, due: int, *, roll_back: bool = False) -> float:
    """Seconds one sweep takes to handle ``due`` clocks (the median of a few fresh runs).

    ``roll_back`` runs each sweep inside a transaction rolled back afterwards: reassigning
    writes owners and history rows, which must not leak into the other benchmarks' data.
    """
    from django.db import transaction

    from sla.sweep import sla_sweep

    timings = []
    for _ in range(RUNS):
        with transaction.atomic() if roll_back else nullcontext():
            _reset(policy, now, due)
            started = time.perf_counter()
            report = sla_sweep(now=now)
            timings.append(time.perf_counter() - started)
            if roll_back:
                transaction.set_rollback(True)
        assert report.breaches == due, report
    return statistics.median(timings)


def run(contacts: int) -> list[Result]:
    from decimal import Decimal

    from django.utils import timezone

    from sla.models import BreachAction, ClockKind, SlaPolicy
    from sla.signals import breaches_recorded
    from sla.sweep import sla_sweep

    now = timezone.now()
    SlaPolicy.objects.filter(name__startswith="bench:").delete()
    policy = SlaPolicy.objects.create(
        name="bench: MQL in 48 h", clock=ClockKind.MQL_RESPONSE, hours=Decimal(48)
    )
    try:
        _reset(policy, now, due=0)
        idle = median_ms(lambda: sla_sweep(now=now))
        with _muted(breaches_recorded):
            sla_only = _timed_sweep(policy, now, DUE)
        notified = _timed_sweep(policy, now, DUE)
        SlaPolicy.objects.filter(pk=policy.pk).update(action=BreachAction.REASSIGN)
        reassigned = _timed_sweep(policy, now, REASSIGNED, roll_back=True)
    finally:
        _reset(policy, now, due=0)
        policy.clocks.all().delete()
        policy.delete()
    clocks = f"{CLOCKS // 1000}k running clocks"
    return [
        Result(f"sla sweep: nothing due ({clocks})", idle, "ms p50", "< 50 ms"),
        Result(
            f"sla sweep: {DUE // 1000}k due, notify, SLA work only",
            sla_only,
            "s",
            "< 10 s",
            f"{DUE / sla_only:,.0f} breaches/s",
        ),
        Result(
            f"sla sweep: {DUE // 1000}k due, notify + breaches_recorded",
            notified,
            "s",
            "",
            f"{DUE / notified:,.0f} breaches/s, receivers included",
        ),
        Result(
            f"sla sweep: {REASSIGNED // 1000}k due, reassign ({clocks})",
            reassigned,
            "s",
            "",
            f"{REASSIGNED / reassigned:,.0f} hand-overs/s",
        ),
    ]
