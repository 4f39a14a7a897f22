import pytest


@pytest.fixture
def login(client):
    """``login(user)``: the test client, logged in as ``user``."""

    def as_user(user):
        client.force_login(user)
        return client

    return as_user
