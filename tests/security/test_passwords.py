"""Django's password validators refuse weak passwords wherever one is set: the app's
change-password page, the admin's own, and a superuser setting one in the user admin."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD = "correct horse battery"  # tests.factories.UserFactory's
WEAK = {
    "too short": "Xy7#",
    "too common": "password123",
    "only digits": "8675309421",
    "like the username": "manager-account",
}


def test_every_validator_of_django_is_on():
    assert {v["NAME"].rsplit(".", 1)[1] for v in settings.AUTH_PASSWORD_VALIDATORS} == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
@pytest.mark.parametrize("page", ["password_change", "admin:password_change"])
def test_a_weak_new_password_is_refused_and_the_old_one_kept(client, page, password):
    user = UserFactory(username="manager-account", role="managers", is_staff=True)
    client.force_login(user)
    response = client.post(
        reverse(page), {"old_password": OLD, "new_password1": password, "new_password2": password}
    )
    assert response.status_code == 200  # the form again, with the reason
    assert response.context["form"].errors["new_password2"]
    user.refresh_from_db()
    assert user.check_password(OLD)


@pytest.mark.parametrize("password", WEAK.values(), ids=WEAK.keys())
def test_a_superuser_cannot_give_someone_a_weak_password_in_the_admin(client, password):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    user = UserFactory(username="manager-account")
    url = reverse("admin:auth_user_password_change", args=[user.pk])
    response = client.post(url, {"password1": password, "password2": password})
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_a_strong_password_is_taken(client):
    user = UserFactory(username="manager-account")
    client.force_login(user)
    strong = "violet tractor lagoon 58"
    response = client.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": strong, "new_password2": strong},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)
