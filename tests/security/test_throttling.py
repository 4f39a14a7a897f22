"""Throttling: the API answers 429 with Retry-After past its rate, and log-in attempts (the
app's page and the admin's) lock a username tried from one address after repeated failures."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's


@pytest.fixture
def low_rates(monkeypatch):
    """The API's own throttle classes, at rates a test can reach (the rates are read when
    DRF loads, so the test settings' generous ones are swapped on the class)."""
    cache.clear()
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/min", "user": "3/min"})
    yield
    cache.clear()


def test_the_api_throttles_every_client_by_default():
    config = settings.REST_FRAMEWORK
    assert config["DEFAULT_THROTTLE_CLASSES"] == [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ]


def test_a_user_past_the_rate_gets_429_with_retry_after(api, marketer, low_rates):
    client = api.as_user(marketer)
    assert [client.get("/api/v1/contacts/").status_code for _ in range(3)] == [200] * 3
    response = client.get("/api/v1/contacts/")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.data["detail"].lower()


def test_visitors_are_throttled_apart_from_users(api, marketer, low_rates):
    # DRF checks credentials before rates: a visitor is throttled on the public endpoints
    # (the schema), while a request with no or a wrong token is refused with 401 first.
    assert [api.get("/api/v1/schema/").status_code for _ in range(2)] == [200, 200]
    assert api.get("/api/v1/schema/").status_code == 429
    assert api.as_user(marketer).get("/api/v1/schema/").status_code == 200


def fail(client, url: str, username: str, times: int, ip: str = "10.0.0.1") -> list[int]:
    data = {"username": username, "password": "wrong password"}
    return [client.post(url, data, REMOTE_ADDR=ip).status_code for _ in range(times)]


@pytest.mark.parametrize("login_url", [reverse("login"), reverse("admin:login")])
def test_a_username_is_locked_after_repeated_failures_with_a_clear_message(
    client, manager, login_url
):
    limit = settings.AXES_FAILURE_LIMIT
    assert fail(client, login_url, "manager", limit - 1) == [200] * (limit - 1)
    locked = client.post(
        login_url, {"username": "manager", "password": "wrong again"}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    assert b"Too many failed log-ins" in locked.content
    assert b"Try again in 15 minutes" in locked.content
    # Even the right password is refused while the lock holds.
    right = {"username": "manager", "password": PASSWORD}
    assert client.post(login_url, right, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_holds_for_that_username_from_that_address_only(client, rep, other_rep):
    fail(client, reverse("login"), "rep", settings.AXES_FAILURE_LIMIT)
    other_user = {"username": "rep2", "password": PASSWORD}
    assert client.post(reverse("login"), other_user, REMOTE_ADDR="10.0.0.1").status_code == 302
    client.logout()
    elsewhere = {"username": "rep", "password": PASSWORD}
    assert client.post(reverse("login"), elsewhere, REMOTE_ADDR="10.9.9.9").status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, rep):
    fail(client, reverse("login"), "rep", settings.AXES_FAILURE_LIMIT)
    cool_off = timedelta(hours=settings.AXES_COOLOFF_TIME)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off - timedelta(seconds=1))
    right = {"username": "rep", "password": PASSWORD}
    assert client.post(reverse("login"), right, REMOTE_ADDR="10.0.0.1").status_code == 302


def test_a_successful_log_in_forgets_the_earlier_failures(client, rep):
    limit = settings.AXES_FAILURE_LIMIT
    fail(client, reverse("login"), "rep", limit - 1)
    right = {"username": "rep", "password": PASSWORD}
    assert client.post(reverse("login"), right, REMOTE_ADDR="10.0.0.1").status_code == 302
    client.logout()
    assert fail(client, reverse("login"), "rep", limit - 1) == [200] * (limit - 1)
