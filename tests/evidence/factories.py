"""Hand-built histories for the evidence tests: contacts with their stage times and their
events, written as they would have been stored, so the right answer is known."""

from datetime import datetime

from evidence.models import Analysis, Kind, Status
from leads.stages import Stage
from scoring.models import Activity
from tests.factories import ContactFactory

STAGE_TIMES = ("lead", "mql", "sql", "qso", "client")


def person(
    *,
    created: datetime,
    events: list[tuple] = (),
    campaign=None,
    **fields,
):
    """A contact created at ``created`` with ``events`` (``(type, at)`` or ``(type, at,
    properties)``) and its funnel times (``lead=``, ``mql=``, ``sql=``, ``qso=``,
    ``client=``); its stage is the last one reached, and a lead at its first event unless
    told otherwise."""
    times = {name: fields.pop(name, None) for name in STAGE_TIMES}
    if times["lead"] is None and events:
        times["lead"] = min(event[1] for event in events)
    reached = [name for name in STAGE_TIMES if times[name] is not None]
    stage = fields.pop("stage", Stage(reached[-1]) if reached else Stage.CONTACT)
    contact = ContactFactory(
        created_at=created,
        stage=stage,
        stage_changed_at=max([created, *(t for t in times.values() if t)]),
        campaign=campaign,
        **{f"{name}_at": at for name, at in times.items()},
        **fields,
    )
    Activity.objects.bulk_create(
        Activity(
            key=f"{contact.pk}-{n}",
            contact=contact,
            type=event[0],
            occurred_at=event[1],
            properties=event[2] if len(event) > 2 else {},
        )
        for n, event in enumerate(sorted(events, key=lambda e: e[1]))
    )
    return contact


SUGGESTED_RULE = {
    "id": None,
    "name": "Demo requested",
    "dimension": "engagement",
    "points": 25,
    "active": True,
    "event_type": "demo_requested",
    "attribute": "",
    "operator": "",
    "value": None,
    "max_times": 3,
    "key": "event:demo_requested",
    "odds_ratio": 5.66,
    "support": 120,
    "current_points": None,
}


def quality(auc: float, precision: float) -> dict:
    return {
        "contacts": 400,
        "converted": 100,
        "auc": auc,
        "flagged": 80,
        "caught": int(80 * precision),
        "precision": precision,
    }


def suggestion_done(*, by=None, rules: list[dict] | None = None) -> Analysis:
    """A finished suggestion, as ``evidence.learning`` writes one (without running it)."""
    result = {
        "target": "sql",
        "training": {"contacts": 1200, "converted": 300, "sampled": 1200},
        "holdout": {"start": "2026-01-01", "end": "2026-03-31"},
        "features": 1,
        "intercept": -1.5,
        "points_to_double_odds": 10,
        "rules": rules if rules is not None else [SUGGESTED_RULE],
        "settings": {
            "mql_threshold": 20,
            "min_fit": None,
            "min_engagement": None,
            "half_life_days": 30,
        },
        "current_settings": {
            "mql_threshold": 60,
            "min_fit": None,
            "min_engagement": None,
            "half_life_days": 30,
        },
        "quality": {"current": quality(0.61, 0.3), "suggested": quality(0.74, 0.45)},
    }
    params = {"start": "2025-04-01", "end": "2026-03-31", "target": "sql", "holdout_months": 3}
    return Analysis.objects.create(
        kind=Kind.SUGGESTION,
        status=Status.DONE,
        params=params | {"window_days": 90, "min_support": 30},
        result=result,
        requested_by=by,
    )
