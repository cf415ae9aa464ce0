import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def in_english():
    """The services' messages are asserted in English here; the Dutch ones are the catalogue's."""
    with translation.override("en"):
        yield
