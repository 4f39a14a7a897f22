"""No personal data or secret in the logs: what the configured handlers write, for a
request carrying an e-mail, a token and a password, and for the libraries' own messages."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction

from leadfunnel.logging import MaskPersonalData, mask
from leads.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db

EMAIL = "jane.doe@example.com"
TOKEN = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
PASSWORD = "s3cret-Hunter2"


@contextmanager
def written_logs():
    """What the handlers of ``LOGGING`` write (not pytest's capture, which has no filter)."""
    handlers = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)]
    handlers = [h for h in handlers if any(isinstance(f, MaskPersonalData) for f in h.filters)]
    assert handlers, "LOGGING's console handler must carry the MaskPersonalData filter"
    output = io.StringIO()
    previous = [handler.setStream(output) for handler in handlers]
    try:
        yield output
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)


def assert_clean(text: str) -> None:
    for secret in (EMAIL, "jane.doe%40example.com", TOKEN, PASSWORD):
        assert secret not in text


def test_a_request_for_a_path_holding_an_e_mail_is_logged_without_it(api, marketer):
    with written_logs() as logs:
        response = api.as_user(marketer).get(f"/api/v1/contacts/{EMAIL}/")
    assert response.status_code == 404
    assert "Not Found: /api/v1/contacts/***/" in logs.getvalue()
    assert_clean(logs.getvalue())


def test_a_logged_request_with_credentials_and_a_password_shows_none_of_them(rf):
    request = rf.post(
        f"/accounts/login/?next=/contacts/&email={EMAIL}",
        {"username": "rep", "password": PASSWORD},
        HTTP_AUTHORIZATION=f"Token {TOKEN}",
    )
    with written_logs() as logs:
        logging.getLogger("leadfunnel.tests").warning(
            "Odd request %s %s %s", request.get_full_path(), request.POST.dict(), request.META
        )
        logging.getLogger("leadfunnel.tests").info("password=%s&token=%s", PASSWORD, TOKEN)
    text = logs.getvalue()
    assert "Odd request /accounts/login/?next=/contacts/&email=***" in text
    assert "'password': '***'" in text and "'HTTP_AUTHORIZATION': '***" in text
    assert_clean(text)


def test_a_database_error_quoting_the_duplicate_e_mail_is_logged_without_it():
    ContactFactory(email=EMAIL)
    with written_logs() as logs:
        try:
            with transaction.atomic():  # PostgreSQL's message quotes the duplicate key
                Contact.objects.create(email=EMAIL.upper())
        except IntegrityError:
            logging.getLogger("leadfunnel.tests").exception("Could not add %s", EMAIL)
    text = logs.getvalue()
    assert "Could not add ***" in text and "IntegrityError" in text
    assert_clean(text)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Contact jane.doe@example.com moved", "Contact *** moved"),
        ("Authorization: Bearer abc.def.ghi", "Authorization: ***"),
        (
            '{"secret": "whsec_abc123", "url": "https://x"}',
            '{"secret": "***", "url": "https://x"}',
        ),
        (
            "csrfmiddlewaretoken=abcdEFG123; sessionid=zzz9",
            "csrfmiddlewaretoken=***; sessionid=***",
        ),
        ("{'new_password1': 'a b c'}", "{'new_password1': '***'}"),
        ("contact 42 moved to sql by user 7", "contact 42 moved to sql by user 7"),
    ],
)
def test_mask_keeps_ids_and_hides_the_rest(text, masked):
    assert mask(text).startswith(masked.split("***")[0])
    assert mask(text).replace("*** ***", "***") == masked
