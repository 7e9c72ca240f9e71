import pytest


@pytest.fixture(autouse=True)
def _messages_in_english(english: None) -> None:
    """Validation messages are asserted in English; Thai is the default language."""
