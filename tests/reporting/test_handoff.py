"""The MQL hand-off report on the ``january`` scenario: every entry into MQL is a hand-off,
its outcome is what sales did next (as of now), rejections are counted by reason."""

from datetime import date

import pytest

from reporting.periods import Period
from reporting.selectors import GroupBy, handoff_report

from .conftest import at

pytestmark = pytest.mark.django_db


def handoff(start, end, **options):
    return handoff_report(period=Period.of(start, end), **options)


def outcome(line) -> tuple[int, ...]:
    return (
        line.passed,
        line.accepted,
        line.rejected,
        line.recycled,
        line.disqualified,
        line.waiting,
    )


def test_mqls_passed_in_the_range_and_what_sales_did_with_them(january):
    total = handoff(date(2026, 1, 1), date(2026, 1, 31)).total
    # c3 rejected (recycled), c4 and d1 accepted, d2 and the erased d3 still waiting; c5
    # skipped MQL, so it was never handed off.
    assert outcome(total) == (5, 2, 1, 1, 0, 2)
    assert (total.acceptance_rate, total.rejection_rate) == (0.4, 0.2)
    assert total.reasons == {"No interest": 1}


def test_a_recycled_contact_back_in_mql_is_a_new_hand_off(january):
    total = handoff(date(2026, 2, 1), date(2026, 2, 28)).total
    assert outcome(total) == (2, 1, 0, 0, 0, 1)  # f1 accepted, c3 back and waiting


def test_hand_offs_per_rep_with_their_rejection_reasons(january, walk, rep):
    walk(at("2026-01-20")).lead(at("2026-01-20", 13)).mql(at("2026-01-21")).reject(
        at("2026-01-22"), reason="Duplicate", recycle=False
    )
    report = handoff(date(2026, 1, 1), date(2026, 1, 31), group_by=GroupBy.OWNER)
    groups = {line.label: line for line in report.groups}
    assert list(groups) == ["rep", "rep2"]
    assert outcome(groups["rep"]) == (5, 2, 2, 1, 1, 1)
    assert groups["rep"].reasons == {"No interest": 1, "Duplicate": 1}
    assert outcome(groups["rep2"]) == (1, 0, 0, 0, 0, 1)
    assert groups["rep2"].reasons == {}
    assert outcome(report.total) == (6, 2, 2, 1, 1, 2)


def test_an_empty_range_has_no_rates(db):
    total = handoff(date(2026, 1, 1), date(2026, 1, 31)).total
    assert outcome(total) == (0,) * 6
    assert total.acceptance_rate is None
