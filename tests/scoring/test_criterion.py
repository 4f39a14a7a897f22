"""The MQL criterion in its three forms (Python on figures, SQL in set-based statements, a
``Q`` on querysets) gives the same answer on the same random figures and thresholds."""

import random

import pytest
from django.db import connection

from leads.models import Contact
from scoring.criterion import MqlCriterion
from scoring.models import ScoringSettings
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_the_python_sql_and_queryset_forms_agree_on_random_scores():
    rng = random.Random(7)
    figures = [(rng.randint(-40, 120), rng.randint(-40, 120)) for _ in range(200)]
    contacts = Contact.objects.bulk_create(
        Contact(email=f"c{n}@example.com", score=f + e, fit_score=f, engagement_score=e)
        for n, (f, e) in enumerate(figures)
    )
    for _ in range(25):
        criterion = MqlCriterion(
            rng.randint(-10, 150),
            rng.choice([None, rng.randint(-20, 80)]),
            rng.choice([None, rng.randint(-20, 80)]),
        )
        in_python = {
            c.pk
            for c in contacts
            if criterion.passes(score=c.score, fit=c.fit_score, engagement=c.engagement_score)
        }
        in_queryset = set(Contact.objects.filter(criterion.q()).values_list("pk", flat=True))
        condition, params = criterion.sql(
            score="score", fit="fit_score", engagement="engagement_score"
        )
        inline = criterion.sql_inline(
            score="score", fit="fit_score", engagement="engagement_score"
        )
        table = Contact._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM {table} WHERE {condition}", params)
            in_sql = {row[0] for row in cursor.fetchall()}
            cursor.execute(f"SELECT id FROM {table} WHERE {inline}")
            in_inline_sql = {row[0] for row in cursor.fetchall()}
        assert in_python == in_queryset == in_sql == in_inline_sql, criterion


def test_the_minimums_count_as_well_as_the_total():
    criterion = MqlCriterion(60, min_fit=20, min_engagement=None)
    assert criterion.passes(score=70, fit=20, engagement=50)
    assert not criterion.passes(score=90, fit=10, engagement=80)  # rich in interest, poor fit
    assert MqlCriterion(0).passes_at_zero and not MqlCriterion(1).passes_at_zero


def test_the_score_explanation_says_whether_the_criterion_is_met(api, marketer):
    """Score 70 over a threshold of 60, but fit 10 under its minimum of 20: not an MQL, and
    the explanation says so (it once compared the total alone)."""
    ScoringSettings.objects.update_or_create(
        pk=1, defaults={"mql_threshold": 60, "min_fit": 20, "hot_threshold": None}
    )
    contact = ContactFactory(score=70, fit_score=10, engagement_score=60)
    body = api.as_user(marketer).get(f"/api/v1/contacts/{contact.pk}/score/").json()
    assert (body["score"], body["qualifies"]) == (70, False)
