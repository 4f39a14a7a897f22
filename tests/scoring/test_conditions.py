"""Every operator: profile rules (matched in SQL) and event property conditions (matched in
memory for new events and in SQL by a recompute: both must give the same answer)."""

import pytest

from scoring import services
from scoring.conditions import event_matcher, property_queryset
from scoring.models import Activity, ContactRuleScore, Rule
from tests.factories import ContactFactory
from tests.scoring.helpers import T0

pytestmark = pytest.mark.django_db

TITLES = ["CEO", "ceo", "Head of Sales", "VP Marketing", "Svp", ""]
SIZES = [10, 49, 50, 51, None]
ATTRIBUTES = [{"plan": "pro", "seats": 5}, {"plan": "Pro+"}, {"seats": 50}, {}, {"plan": None}]
EMAILS = ["a@gmail.com", "b@Acme.example", "c@acme.example.org"]


@pytest.mark.parametrize(
    "attribute, values, operator, value, expected",
    [
        ("job_title", TITLES, "eq", "CEO", [0]),
        ("job_title", TITLES, "ne", "CEO", [1, 2, 3, 4]),
        ("job_title", TITLES, "in", ["CEO", "Svp"], [0, 4]),
        ("job_title", TITLES, "contains", "HEAD", [2]),
        ("job_title", TITLES, "startswith", "vp", [3]),
        ("job_title", TITLES, "is_set", True, [0, 1, 2, 3, 4]),
        ("job_title", TITLES, "is_set", False, [5]),
        ("company_size", SIZES, "eq", 50, [2]),
        ("company_size", SIZES, "ne", 50, [0, 1, 3]),
        ("company_size", SIZES, "lt", 50, [0, 1]),
        ("company_size", SIZES, "lte", 50, [0, 1, 2]),
        ("company_size", SIZES, "gt", 50, [3]),
        ("company_size", SIZES, "gte", 50, [2, 3]),
        ("company_size", SIZES, "in", [10, 51], [0, 3]),
        ("company_size", SIZES, "is_set", True, [0, 1, 2, 3]),
        ("company_size", SIZES, "is_set", False, [4]),
        ("attributes.plan", ATTRIBUTES, "eq", "pro", [0]),
        ("attributes.plan", ATTRIBUTES, "ne", "pro", [1]),
        ("attributes.plan", ATTRIBUTES, "in", ["pro", "Pro+"], [0, 1]),
        ("attributes.plan", ATTRIBUTES, "contains", "PRO", [0, 1]),
        ("attributes.plan", ATTRIBUTES, "startswith", "pro+", [1]),
        ("attributes.plan", ATTRIBUTES, "is_set", True, [0, 1]),
        ("attributes.seats", ATTRIBUTES, "lt", 50, [0]),
        ("attributes.seats", ATTRIBUTES, "gte", 50, [2]),
        ("attributes.seats", ATTRIBUTES, "is_set", False, [1, 3, 4]),
        ("email_domain", EMAILS, "in", ["gmail.com", "acme.example"], [0, 1]),
        ("email_domain", EMAILS, "eq", "acme.example.org", [2]),
        ("country", ["FR", "DE", ""], "in", ["FR", "BE"], [0]),
    ],
)
def test_profile_rule_operators(rule, attribute, values, operator, value, expected):
    field = attribute.split(".")[0] if "." in attribute else attribute
    contacts = []
    for v in values:
        if field == "email_domain":
            contacts.append(ContactFactory(email=v))
        elif field == "attributes":
            contacts.append(ContactFactory(attributes=v))
        else:
            contacts.append(ContactFactory(**{field: v}))
    given = rule("Rule", 7, dimension="fit", attribute=attribute, operator=operator, value=value)
    services.rescore_profiles()
    matched = set(ContactRuleScore.objects.filter(rule=given).values_list("contact", flat=True))
    assert matched == {contacts[n].pk for n in expected}
    for n, contact in enumerate(contacts):
        contact.refresh_from_db()
        assert contact.fit_score == (7 if n in expected else 0)


PROPERTIES = [
    {"url": "/pricing"},
    {"url": "/Pricing/plans"},
    {"url": 5},
    {},
    {"url": None},
    {"url": True},
    {"url": "/blog/why-pricing"},
    {"page": "/pricing"},
]


@pytest.mark.parametrize(
    "operator, value, expected",
    [
        ("eq", "/pricing", [0]),
        ("eq", True, [5]),
        ("in", ["/pricing", 5], [0, 2]),
        ("contains", "PRICING", [0, 1, 6]),
        ("startswith", "/pricing", [0, 1]),
    ],
)
def test_event_property_operators_agree_in_memory_and_in_sql(operator, value, expected):
    given = Rule(
        name="r",
        dimension="engagement",
        points=1,
        event_type="page_viewed",
        attribute="url",
        operator=operator,
        value=value,
    )
    given.full_clean()
    in_memory = [n for n, p in enumerate(PROPERTIES) if event_matcher(given)(p)]
    assert in_memory == expected
    contact = ContactFactory()
    for n, properties in enumerate(PROPERTIES):
        Activity.objects.create(
            key=str(n), contact=contact, type="page_viewed", occurred_at=T0, properties=properties
        )
    in_sql = property_queryset(given, Activity.objects.all()).values_list("key", flat=True)
    assert sorted(int(key) for key in in_sql) == expected


def test_an_event_rule_without_condition_matches_every_event_of_its_type():
    given = Rule(name="r", dimension="engagement", points=1, event_type="page_viewed")
    assert all(event_matcher(given)(p) for p in PROPERTIES)
