import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def english_afterwards():
    """A French request leaves French active in the test's thread: give the next test the
    default language back."""
    yield
    translation.activate("en")
