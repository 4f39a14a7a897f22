"""Log in, log out and change the password on the app's own pages."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_logging_in_sends_the_user_to_their_work(client, rep):
    response = client.post(
        reverse("login"), {"username": "rep", "password": "correct horse battery"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("leads:my_queue")


def test_a_wrong_password_is_said_plainly(client, rep):
    response = client.post(reverse("login"), {"username": "rep", "password": "nope"})
    assert b"did not match" in response.content


def test_changing_the_password_keeps_the_user_logged_in(login, rep):
    client = login(rep)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a much longer secret 42",
            "new_password2": "a much longer secret 42",
        },
        follow=True,
    )
    assert b"Password changed" in response.content
    rep.refresh_from_db()
    assert rep.check_password("a much longer secret 42")
    assert client.get(reverse("leads:my_queue")).status_code == 200


def test_a_weak_new_password_is_refused_inline(login, rep):
    response = login(rep).post(
        reverse("password_change"),
        {"old_password": "correct horse battery", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    assert b'aria-invalid="true"' in response.content


def test_logging_out_is_a_post_and_says_goodbye(login, rep):
    client = login(rep)
    assert b"You are logged out" in client.post(reverse("logout")).content
    assert client.get(reverse("leads:my_queue")).status_code == 302
