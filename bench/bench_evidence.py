"""
Scoring from evidence over the generated history (twelve months to today): the backtest of
the current rules against an edited rule set, the analysis of signals, and suggested
points, each run in-process as the Celery task runs it.

Time is wall time; memory is the peak resident memory of this process during the run
(``VmHWM``, reset before each run through ``/proc/self/clear_refs``), and, on PostgreSQL,
the database's side: the most private memory its backend held (sampled) and the bytes its
sorts spilled to temporary files.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .results import Result

MIB = 1024 * 1024
SECONDS = "< 60 s"
MEMORY = "< 2048 MiB"


@dataclass
class Usage:
    seconds: float = 0.0
    peak_mib: float = 0.0
    backend_mib: float | None = None
    spilled_mib: float | None = None


def _status(pid: int | str, field: str) -> float | None:
    """A ``/proc/<pid>/status`` figure in MiB (Linux); None elsewhere."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024 / MIB
    except OSError:
        return None
    return None


def _backend() -> tuple[int | None, float | None]:
    """The PostgreSQL backend serving this process, and the bytes its database spilled."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None, None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_backend_pid(), temp_bytes FROM pg_stat_database "
            "WHERE datname = current_database()"
        )
        pid, spilled = cursor.fetchone()
    return pid, float(spilled)


@contextmanager
def measured(usage: Usage):
    with_clear = Path("/proc/self/clear_refs")
    if with_clear.exists():
        with_clear.write_text("5")  # resets this process's peak resident memory
    pid, spilled_before = _backend()
    peak_backend = [0.0]
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set() and pid:
            peak_backend[0] = max(peak_backend[0], _status(pid, "RssAnon") or 0.0)
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.perf_counter()
    try:
        yield
    finally:
        usage.seconds = time.perf_counter() - started
        running.clear()
        sampler.join()
        usage.peak_mib = _status("self", "VmHWM") or 0.0
        if pid:
            time.sleep(1.0)  # the statistics collector reports after the transaction
            usage.backend_mib = peak_backend[0]
            usage.spilled_mib = (_backend()[1] - spilled_before) / MIB


def _analysis(kind, request: dict):
    """An analysis asked as the API asks it (its serializer), run as the task runs it."""
    from evidence import services
    from evidence.api import serializers
    from evidence.models import Analysis, Kind

    checked = {
        Kind.BACKTEST: serializers.BacktestRequestSerializer,
        Kind.SIGNALS: serializers.SignalsRequestSerializer,
        Kind.SUGGESTION: serializers.SuggestionRequestSerializer,
    }[kind](data=request)
    checked.is_valid(raise_exception=True)
    params = serializers.params_of(checked.validated_data)
    analysis = Analysis.objects.create(
        kind=kind, params=params, fingerprint="bench", steps_total=services.STEPS[kind]
    )
    usage = Usage()
    with measured(usage):
        analysis = services.analysis_run(analysis_id=analysis.pk)
    assert analysis.status == "done", analysis.error
    return analysis, usage


def _edited_rules() -> list[dict]:
    """The current rules with pricing views worth twice as much and e-mails nothing."""
    from evidence.candidates import rule_json
    from scoring.models import Rule

    rules = []
    for rule in Rule.objects.filter(active=True).order_by("pk"):
        fields = rule_json(rule)
        if rule.name == "Pricing page viewed":
            fields["points"] *= 2
        if rule.event_type == "email_opened":
            fields["active"] = False
        rules.append(fields)
    return rules


def _results(name: str, usage: Usage, note: str, target: bool = True) -> list[Result]:
    database = ""
    if usage.backend_mib is not None:
        database = (
            f"; database backend peak {usage.backend_mib:,.0f} MiB private, "
            f"{usage.spilled_mib:,.0f} MiB spilled to temp files"
        )
    return [
        Result(name, usage.seconds, "s", SECONDS if target else "", note),
        Result(
            f"{name}: peak memory",
            usage.peak_mib,
            "MiB",
            MEMORY if target else "",
            f"this process{database}",
        ),
    ]


def run(contacts: int) -> list[Result]:
    from evidence.models import Kind
    from scoring.models import Activity

    events = Activity.objects.count()
    backtest, backtest_usage = _analysis(
        Kind.BACKTEST,
        {"candidates": [{}, {"name": "Edited", "rules": _edited_rules(),
                             "settings": {"mql_threshold": 70}}]},
    )  # fmt: skip
    columns = backtest.result["columns"]
    signals, signals_usage = _analysis(Kind.SIGNALS, {})
    found = signals.result["signals"]
    suggestion, suggestion_usage = _analysis(Kind.SUGGESTION, {})
    quality = suggestion.result["quality"]
    return [
        *_results(
            "evidence backtest, 2 rule sets",
            backtest_usage,
            f"{contacts:,} contacts, {events:,} events; MQLs: "
            + ", ".join(f"{c['name']} {c['mqls']:,}" for c in columns),
        ),
        *_results(
            "evidence signals",
            signals_usage,
            f"{signals.result['population']['contacts']:,} leads, {len(found)} signals; first: "
            + ", ".join(row["key"] for row in found[:4]),
        ),
        *_results(
            "evidence suggested points",
            suggestion_usage,
            f"held-out AUC {quality['current']['auc']} (current) vs "
            f"{quality['suggested']['auc']} (suggested); precision "
            f"{quality['current']['precision']} vs {quality['suggested']['precision']}",
            target=False,
        ),
    ]
