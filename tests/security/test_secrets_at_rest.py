"""Secrets at rest: API keys are stored as hashes only, shown once, expire, are revoked and
record their last use; keys made before hashing keep working; webhook secrets are
write-only, shown at creation and by a rotation."""

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from integrations.models import Event, Webhook
from leads.api_keys import api_key_create, api_key_revoke, digest_of
from leads.models import ApiKey

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts/"


def with_key(api, key: str):
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api.get(URL)


def test_a_key_is_stored_only_as_its_hash_and_shown_once(api, marketer):
    out = StringIO()
    call_command("create_api_token", "marketer", "--name", "CRM sync", stdout=out)
    key = out.getvalue().strip()
    row = ApiKey.objects.get(user=marketer)
    assert (row.name, row.digest, row.prefix) == ("CRM sync", digest_of(key), key[:12])
    with connection.cursor() as cursor:  # no column of the table holds the key itself
        cursor.execute(f"SELECT * FROM {ApiKey._meta.db_table}")
        assert not any(key in str(value) for value in cursor.fetchone())
    assert with_key(api, key).status_code == 200


def test_a_key_records_its_last_use(api, marketer):
    row, key = api_key_create(user=marketer)
    assert row.last_used_at is None
    with_key(api, key)
    row.refresh_from_db()
    assert timezone.now() - row.last_used_at < timedelta(seconds=5)


def test_an_expired_or_revoked_key_is_a_401(api, marketer, settings):
    settings.API_KEY_LIFETIME_DAYS = 30
    row, key = api_key_create(user=marketer)
    assert row.expires_at - row.created_at == timedelta(days=30)
    ApiKey.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert with_key(api, key).status_code == 401
    row, key = api_key_create(user=marketer)
    api_key_revoke(api_key=row, by=marketer)
    assert with_key(api, key).status_code == 401
    assert ApiKey.objects.filter(pk=row.pk, revoked_at__isnull=False).exists()  # the record stays


def test_a_key_made_before_hashing_keeps_working_and_leaves_no_clear_copy(api, marketer):
    """The migration of DRF's clear keys, run on a table as DRF left it."""
    legacy = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created timestamp "
            "with time zone NOT NULL, user_id integer NOT NULL)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, created datetime "
            "NOT NULL, user_id integer NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO authtoken_token VALUES (%s, %s, %s)",
            [legacy, timezone.now(), marketer.pk],
        )
    migration = __import__("leads.migrations.0008_api_keys", fromlist=["x"])

    class Editor:  # what RunPython hands the function
        pass

    editor = Editor()
    editor.connection = connection
    migration.hash_legacy_keys(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone() == (0,)
    assert with_key(api, legacy).status_code == 200


def test_a_webhook_secret_is_shown_at_creation_and_by_a_rotation_only(api, manager):
    client = api.as_user(manager)
    body = {"url": "https://hooks.example.com/", "events": [Event.CONTACT_CREATED]}
    created = client.post("/api/v1/webhooks/", body, format="json").json()
    hook = Webhook.objects.get()
    assert created["secret"] == hook.secret
    assert "secret" not in client.get(f"/api/v1/webhooks/{hook.pk}/").json()
    assert all("secret" not in row for row in client.get("/api/v1/webhooks/").json()["results"])
    rotated = client.post(f"/api/v1/webhooks/{hook.pk}/rotate-secret/").json()
    hook.refresh_from_db()
    assert rotated["secret"] == hook.secret != created["secret"]
