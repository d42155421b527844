import pytest

from reviews.factories import clear_rate_limits, use_memory_sms


@pytest.fixture
def sms(settings):
    """The in-memory SMS sender (its codes readable by the test), rate limits cleared before
    and after."""
    clear_rate_limits()
    yield use_memory_sms(settings)
    clear_rate_limits()
