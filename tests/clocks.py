"""An injected clock for the code that reads ``time.time()`` (rate-limit windows, the login
throttle): tests set the time instead of sleeping or hoping no window boundary falls
between two requests."""


class FrozenTime:
    """Stands in for the ``time`` module of the code under test: ``time()`` is what the test
    says; ``advance(seconds)`` moves it on."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# 20 s into a minute and 47 min into an hour: every fixed window the tests use holds still.
MID_WINDOW = 1_000_000_020.0
RATE_LIMIT_CLOCKS = (
    "django_ratelimit.core.time",  # code requests per address, exports
    "reviews.vote.throttle.time",  # votes per address and voter
    "reviews.vote.budget.time",  # the SMS budget's windows
)


def freeze(monkeypatch, targets=RATE_LIMIT_CLOCKS, now=MID_WINDOW) -> FrozenTime:
    clock = FrozenTime(now)
    for target in targets:
        monkeypatch.setattr(target, clock)
    return clock
