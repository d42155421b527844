import pytest

from reviews.factories import clear_rate_limits, use_memory_sms
from tests.clocks import freeze


@pytest.fixture
def sms(settings):
    """The in-memory SMS sender (its codes readable by the test), rate limits cleared before
    and after."""
    clear_rate_limits()
    yield use_memory_sms(settings)
    clear_rate_limits()


@pytest.fixture
def rate_clock(monkeypatch):
    """The rate limits' clock held mid-window (tests.clocks): requests of a test count in one
    window whatever the wall clock does meanwhile."""
    return freeze(monkeypatch)
