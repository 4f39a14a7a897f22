"""Accounts: lockouts and reset throttling key on the client's real address behind the
trusted proxies, a CSP header on every page, strict yes/no settings (production's e-mail
and renderers: test_production_settings.py)."""

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from leadfunnel.settings.base import env_bool
from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def log_in(client, username: str, password: str, client_ip: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded or client_ip}
    return client.post("/accounts/login/", {"username": username, "password": password}, **headers)


def test_behind_the_proxy_an_attacker_locks_out_only_their_own_address(client, marketer, settings):
    """Five wrong passwords for "marketer" from 203.0.113.9, through the one proxy: that
    address is locked; marketer, from 198.51.100.7 behind the same proxy, still logs in."""
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        log_in(client, "marketer", "wrong", "203.0.113.9")
    assert log_in(client, "marketer", PASSWORD, "203.0.113.9").status_code == 429
    assert log_in(client, "marketer", PASSWORD, "198.51.100.7").status_code == 302


def test_a_forged_forwarded_for_entry_does_not_change_the_address(client, marketer, settings):
    """The client may write anything left of what the proxy appends: only the proxy's entry
    counts, so inventing a new address per try does not dodge the lockout."""
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        log_in(client, "marketer", "wrong", "", forwarded=f"192.0.2.{n}, 203.0.113.9")
    assert log_in(client, "marketer", PASSWORD, "203.0.113.9").status_code == 429


def test_password_resets_are_throttled_per_address_and_per_e_mail(
    client, marketer, settings, mailoutbox
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_LIMIT = 2

    def reset(ip: str, email: str):
        return client.post(
            "/accounts/password_reset/",
            {"email": email},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=ip,
        )

    assert reset("203.0.113.9", marketer.email).status_code == 302
    assert reset("203.0.113.9", "a@example.com").status_code == 302
    third = reset("203.0.113.9", "b@example.com")
    assert (third.status_code, third["Retry-After"]) == (429, "3600")
    assert reset("198.51.100.7", marketer.email).status_code == 302  # another client
    assert reset("198.51.100.8", marketer.email).status_code == 429  # the same mailbox
    assert len(mailoutbox) == 2


def test_every_page_has_a_content_security_policy(client, marketer):
    for url in ("/accounts/login/", "/api/v1/docs/"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    client.force_login(marketer)
    assert "default-src 'self'" in client.get("/contacts/")["Content-Security-Policy"]


def test_a_misspelt_yes_no_setting_stops_the_start_up(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG must be true or false"):
        env_bool("SOME_FLAG", default=False)
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert env_bool("SOME_FLAG", default=False) is True
