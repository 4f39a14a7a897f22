"""schemathesis against the API's own OpenAPI schema, on a live server over real HTTP.

Every operation of ``/api/v1/schema/``, with valid and invalid input (schemathesis's positive
and negative modes), sent with the API key of a persona drawn for each request; ``{id}`` is
a real object half of the time (in the cases meant to fit the schema). Every answer must be
no 5xx, with a documented status code and content type, and match its schema; and a request
the schema forbids must be refused (``negative_data_rejection``). A finding is kept as a
plain API test beside the code it concerns (or in tests/security/test_found_holes.py) once
fixed.

Reproducible: the requests derive from the seed below and the operation, the same on every
run and machine. A failure prints the request as a curl command.
"""

import json
import re
from urllib.parse import unquote, urlsplit

import pytest
import requests
import schemathesis
from django.test import Client
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from leads.normalise import NUL_MESSAGE, holds_nul

from .conftest import PERSONAS, SCHEMA_URL

# What JSON Schema cannot say: rules that relate a request's fields to each other or to the
# stored records. A case meant to fit, refused (400) on these fields alone, is no finding;
# refused on any other field, it is one. Per operation, the fields and the rule.
_CONDITION = {"event_type", "attribute", "operator", "value", "max_times"}  # parts fit
_PERIOD = {"start", "end"}  # the start is not after the end; a history ends today
_POLICY = {"non_field_errors", "escalate_to", "stops_on", "unreachable_attempts"}
_ACTIVITY = {"direction", "outcome", "occurred_at"}
RELATIONS: dict[str, set[str]] = {
    "POST /api/v1/campaigns/": {"ended_on"},  # not before started_on
    "PUT /api/v1/campaigns/{id}/": {"ended_on"},
    "PATCH /api/v1/campaigns/{id}/": {"ended_on"},
    "POST /api/v1/scoring/rules/": _CONDITION,
    "PUT /api/v1/scoring/rules/{id}/": _CONDITION,
    "PATCH /api/v1/scoring/rules/{id}/": _CONDITION,
    "POST /api/v1/evidence/analyses/{id}/adopt/": {"rules", "settings"},  # rules' conditions
    "POST /api/v1/evidence/backtests/": _PERIOD | {"candidates"},  # the candidates' rules
    "POST /api/v1/evidence/signals/": _PERIOD,
    "POST /api/v1/evidence/suggestions/": _PERIOD | {"holdout_months"},  # within the period
    "GET /api/v1/reports/funnel/": _PERIOD,
    "GET /api/v1/reports/targets/": _PERIOD,
    "GET /api/v1/reports/trends/": _PERIOD,
    "GET /api/v1/reports/velocity/": _PERIOD,
    "GET /api/v1/reports/handoff/": _PERIOD,
    # The hot level above the MQL threshold, the minimums under it.
    "PUT /api/v1/scoring/settings/": {"hot_threshold", "min_fit", "min_engagement"},
    "PATCH /api/v1/scoring/settings/": {"hot_threshold", "min_fit", "min_engagement"},
    "POST /api/v1/scoring/rulesets/": {"hot_threshold"},  # above the MQL threshold
    "PUT /api/v1/scoring/rulesets/{id}/": {"hot_threshold"},
    "PATCH /api/v1/scoring/rulesets/{id}/": {"hot_threshold"},
    "GET /api/v1/reports/response-time/": _PERIOD,
    # start_hour before end_hour; a clock that ran under the policy stays its clock; an
    # escalation names its manager; touches and attempts belong to the MQL clocks.
    "POST /api/v1/sla/policies/": _POLICY,
    "PUT /api/v1/sla/policies/{id}/": _POLICY | {"clock"},
    "PATCH /api/v1/sla/policies/{id}/": _POLICY | {"clock"},
    # What a kind of activity has (a direction, its outcomes); not before the contact was
    # first seen. A batch says it per entry.
    "POST /api/v1/activities/": _ACTIVITY,
    "PUT /api/v1/activities/{id}/": _ACTIVITY,
    "PATCH /api/v1/activities/{id}/": _ACTIVITY,
    "POST /api/v1/imports/": {"mapping"},  # names the file's columns, one of them the e-mail
    "POST /api/v1/contacts/{id}/merge/": {"other"},  # not the contact itself
}


def served_schema() -> dict:
    """The schema as the app serves it, read when the module is collected (the tests are
    made from it); ``test_the_live_server_serves_the_schema_being_fuzzed`` ties it to the
    live server's."""
    response = Client().get(SCHEMA_URL, HTTP_HOST="localhost")
    assert response.status_code == 200, response
    return json.loads(response.content)


SCHEMA = served_schema()
schema = schemathesis.openapi.from_dict(
    SCHEMA,
    config=schemathesis.Config.from_dict(
        {
            "seed": 20260301,
            "generation": {"mode": "all"},
            # In its place, ``positive_data_acceptance_but_relations`` (below).
            "checks": {"positive_data_acceptance": {"enabled": False}},
        }
    ),
)

# The server and the seeds commit to the database (``api_world``); the mark makes pytest-django
# set up the test database, even when these are the only tests run.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_live_server_serves_the_schema_being_fuzzed(api_world):
    assert requests.get(api_world.url + SCHEMA_URL, timeout=10).json() == SCHEMA


@schema.parametrize()
@schema.given(persona=st.sampled_from(PERSONAS), pick=st.none() | st.integers(0, 99))
@settings(
    # 15 requests per operation, 1,380 in all: about two minutes on two busy cores. (With
    # ``schema.given``, schemathesis leaves out its coverage phase: 13,500 boundary cases,
    # nine minutes here, run by hand once.)
    max_examples=15,
    # The same requests on every run and machine, none timed (a shared CI box is slow).
    derandomize=True,
    deadline=None,
    database=None,
    # A live server is slow for Hypothesis and generated bodies are large; the ``django_db``
    # mark's fixture is function-scoped, but nothing of it changes between examples.
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
        HealthCheck.large_base_example,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_answer_is_documented_and_none_is_a_server_error(case, persona, pick, api_world):
    """``pick``: a real object for the ``{id}`` (None: keep the generated id)."""
    ids = api_world.ids[case.operation.label]
    # Only a case meant to fit the schema gets a real id: in a negative case the id may be
    # the very part made not to fit, and replacing it would make the case valid.
    positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    if pick is not None and ids and case.path_parameters and positive:
        case.path_parameters["id"] = ids[pick % len(ids)]
    if positive:
        # A schema says an id is a whole number, not that its object exists: a case meant
        # to fit names real ones (a 400 for an unknown campaign is the server's due).
        _name_real_objects(case.body, api_world.references)
        _name_real_objects(case.query, api_world.references)
    headers = {"Authorization": f"Token {api_world.tokens[persona]}"}
    response = case.call(base_url=api_world.url, headers=headers, timeout=30)
    reached = _route(urlsplit(response.request.url).path)
    if reached is None:
        # A path no route matches (an id of 1.5) never reaches the API: Django answers its
        # HTML 404 page (a JSON one for /api/ needs ``handler404`` in leadfunnel/urls.py).
        assert response.status_code == 404
        return
    if reached != _route(re.sub(r"\{[^}]+\}", "1", case.operation.path)):
        # An "id" that spells another route's path (``deliveries`` in /webhooks/{id}/) is
        # that route, fuzzed under its own operation.
        return
    case.validate_response(response, checks=CHECKS, headers=headers)


def _name_real_objects(data, references: dict[str, list]) -> None:
    """Each id under a key of ``references``, anywhere in ``data``, made a real one."""
    if isinstance(data, list):
        for item in data:
            _name_real_objects(item, references)
    elif isinstance(data, dict):
        for key, value in data.items():
            if key in references and _is_id(value):
                data[key] = references[key][value % len(references[key])]
            elif key in references and isinstance(value, list) and all(map(_is_id, value)):
                data[key] = [references[key][item % len(references[key])] for item in value]
            else:
                _name_real_objects(value, references)


def _refused_for_a_relation(operation: str, response) -> bool:
    """Whether ``response`` (schemathesis's) is a 400 on fields of ``RELATIONS[operation]``
    alone."""
    fields = RELATIONS.get(operation)
    if not fields or response.status_code != 400:
        return False
    text = response.content.decode("utf-8", "replace").lstrip("\ufeff")
    if response.headers.get("content-type", [""])[0].startswith("text/csv"):
        # A report asked for as CSV says its errors in CSV too: the fields head the columns.
        named = set(filter(None, text.partition("\n")[0].strip().split(",")))
    else:
        try:
            errors = json.loads(text)
        except ValueError:
            return False
        named = set(errors) if isinstance(errors, dict) else set()
        if named and all(key.isdigit() and isinstance(errors[key], dict) for key in named):
            named = set().union(*errors.values())  # a batch's errors, per entry
    return bool(named) and named <= fields


@schemathesis.check
def positive_data_acceptance_but_relations(ctx, response, case):
    """schemathesis's ``positive_data_acceptance``, but for a refusal under ``RELATIONS``
    and for JSON or a query that holds NUL (which the schema allows and PostgreSQL cannot
    store or search for)."""
    if _refused_for_a_relation(case.operation.label, response):
        return None
    refused = response.status_code == 400 and (holds_nul(case.body) or holds_nul(case.query))
    if refused and NUL_MESSAGE in response.content.decode("utf-8", "replace"):
        return None
    return positive_data_acceptance(ctx, response, case)


@schemathesis.check
def negative_data_rejection_but_empty_filters(ctx, response, case):
    """schemathesis's ``negative_data_rejection``, but for a list read with an empty query
    parameter: an empty filter is no filter (django-filter's rule, which the pages' filter
    forms rely on when "any" is chosen)."""
    empty = case.method.upper() == "GET" and any(v == "" for v in (case.query or {}).values())
    if empty and response.status_code == 200:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection_but_empty_filters,
    response_headers_conformance,
    missing_required_header,
    unsupported_method,
    ignored_auth,
    positive_data_acceptance_but_relations,
]


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _route(path: str) -> str | None:
    """The name of the route ``path`` reaches (None: no route)."""
    try:
        return resolve(unquote(path)).url_name
    except Resolver404:
        return None
