import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads.stages import Role
from tests.factories import UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_runtest_setup(item):
    """Tests marked ``postgres`` need PostgreSQL (row locks, real concurrency). Locally on
    SQLite they are skipped with a visible reason; in CI they fail instead."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        if IN_CI:
            pytest.fail("CI must run on PostgreSQL: DATABASE_URL is not a PostgreSQL URL")
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def marketer(db):
    return UserFactory(username="marketer", role=Role.MARKETING)


@pytest.fixture
def rep(db):
    return UserFactory(username="rep", role=Role.SALES)


@pytest.fixture
def other_rep(db):
    return UserFactory(username="rep2", role=Role.SALES)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role=Role.MANAGERS)


@pytest.fixture
def nobody(db):
    """Logged in, but in no role group."""
    return UserFactory(username="nobody")


@pytest.fixture
def api():
    """An API client; ``api.as_user(user)`` authenticates it."""

    class Client(APIClient):
        def as_user(self, user):
            self.force_authenticate(user)
            return self

    return Client()
