"""The scoring pages: rules and thresholds (forms, errors, rights), the preview computed
before saving, the recompute each change starts, and the contact page's score fragments."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from leads.models import Contact, JobStatus
from leads.services import contact_mark_mql
from leads.stages import Stage
from scoring import services
from scoring.forms import parse_value, value_text
from scoring.models import RecomputeJob, Rule, ScoringSettings
from scoring.services import EventIn, events_ingest
from scoring.views import mql_preview
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PLAIN = {"mql_threshold": 60, "min_fit": None, "min_engagement": None, "hot_threshold": 90}


@pytest.fixture(autouse=True)
def no_rules(db):
    """No default rules: every point in an assertion comes from the test."""
    Rule.objects.all().delete()
    ScoringSettings.objects.update_or_create(pk=1, defaults={**PLAIN, "half_life_days": None})


def rule_form(**fields) -> dict:
    return {
        "name": "Pricing page",
        "kind": "event",
        "dimension": "engagement",
        "points": "10",
        "event_type": "page_viewed",
        "attribute": "url",
        "operator": "contains",
        "value": "/pricing",
        "max_times": "3",
        "active": "on",
        **fields,
    }


@pytest.mark.parametrize(
    ("text", "attribute", "operator", "value"),
    [
        ("50", "company_size", "gte", 50),
        ("CEO, CFO", "job_title", "in", ["CEO", "CFO"]),
        ("1, 2.5", "attributes.tier", "in", [1, 2.5]),
        ("/pricing", "url", "contains", "/pricing"),
        ("007", "phone", "eq", "007"),
        ("true", "attributes.trial", "eq", True),
        ("", "phone", "is_set", None),
    ],
)
def test_a_typed_value_becomes_what_the_condition_compares(text, attribute, operator, value):
    assert parse_value(text, attribute=attribute, operator=operator) == value
    assert parse_value(value_text(value), attribute=attribute, operator=operator) == value


def test_every_role_reads_the_rules_and_only_editors_see_the_buttons(login, rep, marketer):
    services.rule_create(name="Demo", points=50, dimension="engagement", event_type="demo")
    as_rep = login(rep).get("/scoring/").content.decode()
    assert "Demo" in as_rep and "New rule" not in as_rep
    assert "New rule" in login(marketer).get("/scoring/").content.decode()


def test_a_rep_cannot_create_a_rule(login, rep):
    assert login(rep).post("/scoring/rules/new/", rule_form()).status_code == 403
    assert not Rule.objects.exists()


def test_saving_a_rule_stores_it_and_starts_a_recompute(
    login, marketer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = login(marketer).post("/scoring/rules/new/", rule_form())
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert (rule.event_type, rule.attribute, rule.value, rule.max_times) == (
        "page_viewed",
        "url",
        "/pricing",
        3,
    )
    job = RecomputeJob.objects.get()
    assert job.status == JobStatus.PENDING and job.requested_by == marketer
    assert callbacks  # the job's task is enqueued after the commit
    page = login(marketer).get("/scoring/").content.decode()
    assert "Rescoring every contact now." in page
    assert f'hx-get="/scoring/recompute/{job.pk}/"' in page


def test_a_condition_that_cannot_work_is_shown_on_its_field(login, marketer):
    response = login(marketer).post(
        "/scoring/rules/new/",
        rule_form(kind="profile", attribute="shoe_size", operator="gte", value="42"),
    )
    assert response.status_code == 400
    assert "Use one of" in response.content.decode()
    assert not Rule.objects.exists() and not RecomputeJob.objects.exists()


def test_an_event_rule_needs_its_event_type(login, marketer):
    response = login(marketer).post("/scoring/rules/new/", rule_form(event_type=""))
    assert response.status_code == 400
    assert "Name the event that gives the points." in response.content.decode()


def test_a_profile_rule_drops_the_event_fields(login, marketer):
    login(marketer).post(
        "/scoring/rules/new/",
        rule_form(kind="profile", attribute="company_size", operator="gte", value="50"),
    )
    rule = Rule.objects.get()
    assert (rule.event_type, rule.max_times, rule.value) == ("", None, 50)


def test_editing_a_rule_keeps_what_was_not_changed(login, marketer):
    rule = services.rule_create(
        name="Big", points=10, dimension="fit", attribute="company_size", operator="gte", value=50
    )
    form = rule_form(
        kind="profile", name="Big", dimension="fit", attribute="company_size",
        operator="gte", value="500", points="20", event_type="", max_times="",
    )  # fmt: skip
    assert login(marketer).post(f"/scoring/rules/{rule.pk}/edit/", form).status_code == 302
    rule.refresh_from_db()
    assert (rule.points, rule.value, rule.dimension) == (20, 500, "fit")


def test_switching_a_rule_off_and_on(login, marketer):
    rule = services.rule_create(name="Demo", points=50, dimension="engagement", event_type="demo")
    client = login(marketer)
    client.post(f"/scoring/rules/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert not rule.active
    client.post(f"/scoring/rules/{rule.pk}/toggle/")
    rule.refresh_from_db()
    assert rule.active


def lead(score: int, stage: Stage = Stage.LEAD, **fields):
    return ContactFactory(stage=stage, score=score, **fields)


def test_the_preview_counts_who_the_candidate_threshold_would_promote():
    lead(70)
    lead(55)
    lead(40)
    lead(80, stage=Stage.RECYCLED)  # comes back with a new engagement, not a threshold
    lead(95, stage=Stage.SQL)  # past MQL already
    ContactFactory(stage=Stage.LEAD, score=99, erased_at=AT)
    assert mql_preview({**PLAIN, "mql_threshold": 50})["mql"] == 2
    assert mql_preview({**PLAIN, "mql_threshold": 60})["mql"] == 1
    assert mql_preview({**PLAIN, "mql_threshold": 50, "min_fit": 10})["mql"] == 0


def test_the_preview_leaves_out_contacts_already_marked_above_the_line():
    contact = lead(70)
    services.rescore_profiles(contact_ids=[contact.pk])  # creates its score parts
    contact.score_parts.mql = True
    contact.score_parts.save()
    assert mql_preview({**PLAIN, "mql_threshold": 50})["mql"] == 0


def test_the_thresholds_page_previews_a_value_before_it_is_saved(login, marketer):
    lead(70)
    lead(55)
    response = login(marketer).get(
        "/scoring/thresholds/preview/", {"mql_threshold": "50", "hot_threshold": "60"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="stat-value" data-preview-mql>2</span> contacts would become MQL' in html
    assert ScoringSettings.load().mql_threshold == 60


def test_a_preview_of_impossible_thresholds_says_why(login, marketer):
    response = login(marketer).get(
        "/scoring/thresholds/preview/", {"mql_threshold": "80", "hot_threshold": "70"}
    )
    assert response.status_code == 400
    assert "The hot level must be above the MQL threshold." in response.content.decode()


@pytest.fixture
def webinar_and_pricing(send_event):
    """Ann registered for a webinar (50 points) and saw the pricing page twice; Bob saw it
    once; Cleo did nothing. The pricing page gives no points yet."""
    services.rule_create(
        name="Webinar", dimension="engagement", points=50, event_type="webinar_registered"
    )
    ann, bob, cleo = (ContactFactory(stage=Stage.CONTACT) for _ in range(3))
    send_event(ann, "webinar_registered", AT)
    for n, contact in enumerate([ann, ann, bob], start=1):
        send_event(contact, "page_viewed", AT + timedelta(hours=n), {"url": "/pricing"})
    return ann, bob, cleo


def test_a_new_rule_previews_the_scores_it_raises_and_the_mqls_it_makes(
    login, marketer, webinar_and_pricing
):
    ann, _, _ = webinar_and_pricing
    ann.refresh_from_db()
    assert (ann.score, ann.stage) == (50, Stage.LEAD)
    response = login(marketer).get("/scoring/rules/preview/", rule_form())
    assert response.status_code == 200
    html = response.content.decode()
    # Ann 50 + 2 × 10 = 70 crosses 60; Bob 0 + 10 does not; Cleo is untouched.
    assert '<span class="stat-value" data-preview-mql>1</span> contact would become MQL' in html
    assert "<strong data-preview-raised>2</strong> scores would go up" in html
    assert "<strong data-preview-lowered>0</strong> scores would go down" in html
    assert not Rule.objects.filter(name="Pricing page").exists()


def test_editing_a_rule_previews_the_change_against_the_points_it_gives_now(
    login, marketer, webinar_and_pricing
):
    pricing = services.rule_create(
        name="Pricing page",
        dimension="engagement",
        points=10,
        event_type="page_viewed",
        attribute="url",
        operator="contains",
        value="/pricing",
        max_times=3,
    )
    recompute = services.recompute_start(by=marketer, enqueue=False)
    services.recompute_run(job_id=recompute.pk)  # Ann is now an MQL at 70, Bob at 10
    client = login(marketer)
    lowered = client.get(f"/scoring/rules/{pricing.pk}/preview/", rule_form(points="5"))
    assert (
        "<strong data-preview-lowered>2</strong> scores would go down" in lowered.content.decode()
    )
    raised = client.get(f"/scoring/rules/{pricing.pk}/preview/", rule_form(points="30"))
    html = raised.content.decode()
    assert "<strong data-preview-raised>2</strong> scores would go up" in html
    assert "data-preview-mql>0</span> contacts would become MQL" in html  # Ann is one already


def test_the_rule_preview_foretells_what_the_recompute_then_does_with_decay(marketer, send_event):
    from django.utils import timezone

    from scoring.selectors import rule_effect

    ScoringSettings.objects.filter(pk=1).update(half_life_days=30)
    services.rule_create(
        name="Webinar", dimension="engagement", points=45, event_type="webinar_registered"
    )
    now = timezone.now()
    contacts = [ContactFactory(stage=Stage.CONTACT) for _ in range(6)]
    for n, contact in enumerate(contacts):
        send_event(contact, "webinar_registered", now - timedelta(days=5 * n))
        for view in range(n % 3 + 1):
            send_event(
                contact, "page_viewed", now - timedelta(days=n, hours=view), {"url": "/pricing"}
            )
    before = {c.pk: c.score for c in Contact.objects.filter(pk__in=[c.pk for c in contacts])}
    fields = dict(
        name="Pricing page",
        dimension="engagement",
        points=14,  # Contacts 1 and 2 cross 60 by more than a point; 0 stays at 59
        event_type="page_viewed",
        attribute="url",
        operator="contains",
        value="/pricing",
        max_times=2,
    )
    effect = rule_effect(candidate=Rule(**fields), replaced=None, now=now)

    services.rule_create(**fields)
    services.recompute_run(job_id=services.recompute_start(by=marketer, enqueue=False).pk, now=now)
    after = {c.pk: (c.score, c.stage) for c in Contact.objects.filter(pk__in=before)}
    assert effect.raised == sum(after[pk][0] > before[pk] for pk in before)
    assert effect.to_mql == sum(stage == Stage.MQL for _, stage in after.values()) > 0


def test_a_rule_preview_of_an_incomplete_rule_says_what_is_missing(login, marketer):
    response = login(marketer).get("/scoring/rules/preview/", rule_form(event_type=""))
    assert response.status_code == 400
    assert "Not a complete rule yet" in response.content.decode()


def test_a_rep_cannot_preview_a_rule(login, rep):
    assert login(rep).get("/scoring/rules/preview/", rule_form()).status_code == 403


def test_saving_thresholds_rescores_everyone(login, marketer):
    response = login(marketer).post(
        "/scoring/thresholds/", {"mql_threshold": "45", "hot_threshold": "80"}
    )
    assert response.status_code == 302
    assert ScoringSettings.load().mql_threshold == 45
    assert RecomputeJob.objects.filter(status=JobStatus.PENDING).exists()


def test_a_rep_reads_the_thresholds_but_cannot_change_them(login, rep):
    assert login(rep).get("/scoring/thresholds/").status_code == 200
    response = login(rep).post("/scoring/thresholds/", {"mql_threshold": "10"})
    assert response.status_code == 403
    assert ScoringSettings.load().mql_threshold == 60


def test_the_progress_fragment_polls_until_the_job_is_done(login, marketer):
    job = services.recompute_start(by=marketer, enqueue=False)
    running = login(marketer).get(f"/scoring/recompute/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in running and 'role="progressbar"' in running
    services.recompute_run(job_id=job.pk)
    done = login(marketer).get(f"/scoring/recompute/{job.pk}/").content.decode()
    assert "Scores are up to date" in done and "hx-trigger" not in done


def test_the_score_fragment_explains_each_rule(login, marketer):
    services.rule_create(
        name="Big company", points=15, dimension="fit", attribute="company_size",
        operator="gte", value=50,
    )  # fmt: skip
    contact = ContactFactory(stage=Stage.LEAD, company_size=200)
    services.rescore_profiles(contact_ids=[contact.pk])
    html = login(marketer).get(f"/scoring/contacts/{contact.pk}/").content.decode()
    assert "Big company" in html and "+15" in html
    assert "60 makes an MQL: 15 so far." in html


def test_the_timeline_puts_marketing_events_beside_the_stage_moves(login, marketer, send_event):
    contact = ContactFactory(stage=Stage.LEAD, created_at=AT - timedelta(days=1))
    send_event(contact, "content_downloaded", AT, properties={"title": "Pricing guide"})
    contact_mark_mql(contact=contact, by=marketer, at=AT + timedelta(hours=1))
    timeline = reverse("sales:contact_timeline", args=[contact.pk])
    html = login(marketer).get(timeline).content.decode()
    assert "Pricing guide" in html
    # Newest first: the move, then the activity before it, then the contact's creation.
    assert html.index("Marked MQL") < html.index("Downloaded content") < html.index("Added")


def test_a_rep_cannot_read_the_score_of_a_contact_outside_their_queue(login, rep, other_rep):
    contact = ContactFactory(stage=Stage.SQL, owner=other_rep)
    assert login(rep).get(f"/scoring/contacts/{contact.pk}/").status_code == 403


def test_the_contact_page_loads_the_score_and_the_timeline(login, marketer):
    contact = ContactFactory(stage=Stage.LEAD)
    html = login(marketer).get(f"/contacts/{contact.pk}/").content.decode()
    assert f'hx-get="/scoring/contacts/{contact.pk}/"' in html
    assert f'hx-get="{reverse("sales:contact_timeline", args=[contact.pk])}"' in html


@pytest.fixture
def send_event():
    """``send_event(contact, type, at, properties)``: one activity through the service."""

    def send(contact, type: str, at: datetime, properties: dict | None = None):
        key = f"{contact.pk}-{type}-{at.isoformat()}"
        event = EventIn(key, type, at, contact_id=contact.pk, properties=properties or {})
        return events_ingest(events=[event])

    return send
