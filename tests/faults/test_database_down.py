"""PostgreSQL refusing connections for a moment (a restart, a fail-over): the app, served by a
real WSGI server (pytest-django's live server), reaches the database through a TCP proxy that
is switched off and on. Meanwhile the API answers 503 with ``{"detail": ...}`` and
Retry-After, pages answer the 503 page, the health check 503; no trace anywhere. Once the
database is back, the same requests work again, the same session still logged in."""

import httpx
import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client

from leadfunnel.middleware import MESSAGE, database_unreachable
from leads.api_keys import api_key_create
from leads.stages import Role
from tests.factories import ContactFactory, UserFactory

from .proxy import Mode

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def database(proxy):
    """Every new connection of this process reaches PostgreSQL through the proxy (the live
    server opens one per request)."""
    db = connection.settings_dict
    original = db["HOST"], db["PORT"]
    tcp = proxy(f"//{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}")
    connection.close()
    db["HOST"], db["PORT"] = "127.0.0.1", str(tcp.port)
    yield tcp
    db["HOST"], db["PORT"] = original
    connection.close()


@pytest.fixture
def browser_and_system(live_server):
    """A logged-in marketer's browser (session cookie) and a system with a token."""
    marketer = UserFactory(username="marketer", role=Role.MARKETING)
    client = Client()
    client.force_login(marketer)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    browser = httpx.Client(base_url=live_server.url, cookies=cookies)
    token = api_key_create(user=marketer)[1]
    system = httpx.Client(base_url=live_server.url, headers={"Authorization": f"Token {token}"})
    yield browser, system
    browser.close()
    system.close()


def requests(browser: httpx.Client, system: httpx.Client, contact_id: int) -> dict:
    event = {"id": "e1", "type": "page_viewed", "occurred_at": "2026-03-02T09:00:00Z"}
    return {
        "api list": system.get("/api/v1/contacts/"),
        "api post": system.post("/api/v1/events/", json={**event, "contact": contact_id}),
        "api as browser": browser.get(f"/api/v1/contacts/{contact_id}/"),
        "page": browser.get("/contacts/"),
        "healthz": browser.get("/healthz"),
    }


def test_the_app_answers_503_while_the_database_refuses_and_works_again_once_it_is_back(
    database, browser_and_system
):
    browser, system = browser_and_system
    contact = ContactFactory()

    database.switch(Mode.REFUSE)
    down = requests(browser, system, contact.pk)
    database.switch(Mode.ON)
    up = requests(browser, system, contact.pk)

    assert {name: r.status_code for name, r in down.items()} == dict.fromkeys(down, 503)
    for response in down.values():
        assert response.headers["Retry-After"] == "30"
        assert "Traceback" not in response.text
        assert "psycopg" not in response.text
    for name in ("api list", "api post", "api as browser"):
        assert down[name].json() == {"detail": MESSAGE}
    assert down["page"].headers["Content-Type"].startswith("text/html")
    assert "unavailable for a moment" in down["page"].text
    assert down["healthz"].json()["status"] == "unavailable"

    assert {name: r.status_code for name, r in up.items()} == dict.fromkeys(up, 200)
    assert "Log in" not in up["page"].text  # the session outlived the outage
    assert up["api post"].json() == {"accepted": 1, "duplicates": 0}


def test_a_statement_failing_on_a_live_database_is_not_taken_for_an_outage():
    with (
        pytest.raises(OperationalError) as failed,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL statement_timeout = 1")
        cursor.execute("SELECT pg_sleep(1)")
    assert failed.value.__cause__.pgcode == "57014"  # query_canceled: a 500, a bug to fix
    assert not database_unreachable(failed.value)
