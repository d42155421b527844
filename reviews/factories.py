"""Test data for the selection (factory_boy, a dev dependency: imported by tests only)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.core.cache import cache
from django.utils import timezone

from cases.models import Case, District, Round

from .models import Voter
from .vote.sms import MemorySender

CRITERIA = [
    {"key": "leading", "label": "引领性强", "max": 40, "weight": 1},
    {"key": "felt", "label": "感受度高", "max": 30, "weight": 1},
    {"key": "replicable", "label": "可复制推广", "max": 30, "weight": 1},
]


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    year = 2026
    title = factory.LazyAttribute(lambda o: f"{o.year} 年度上海市各区优化营商环境案例评选")
    status = Round.Status.VOTING
    criteria = factory.LazyFunction(lambda: [dict(c) for c in CRITERIA])
    tiers = factory.LazyFunction(
        lambda: [{"name": "优秀案例", "size": 2}, {"name": "良好实践", "size": 2}]
    )
    shortlist_size = 4
    votes_per_voter = 3
    trim = 1
    vote_weight = Decimal("0")
    vote_opens = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    vote_closes = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    round = factory.SubFactory(RoundFactory)
    district = factory.LazyFunction(lambda: District.objects.get(code="huangpu"))
    title = factory.Sequence(lambda n: f"案例{n}：推进“一网通办”改革")
    summary = "以企业感受为导向，压缩办事环节。"
    sections = factory.LazyFunction(
        lambda: [{"heading": "一、主要做法", "body": "建立专班机制。\n办理时限压缩 50%。"}]
    )
    status = Case.Status.ACCEPTED


class VoterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Voter

    phone = factory.Sequence(lambda n: f"139{n:08d}")
    verified_at = factory.LazyFunction(timezone.now)


def district(code):
    return District.objects.get(code=code)


def use_memory_sms(settings):
    """Send one-time codes to MemorySender.outbox (call from a fixture with ``settings``)."""
    settings.SMS_SENDER = "reviews.vote.sms.MemorySender"
    MemorySender.clear()
    return MemorySender


# The vote's captcha, answered as tests may (tests/conftest.py turns its test mode on), with
# the notice's consent ticked, as every phone form that asks for a code must be.
CAPTCHA_PASSED = {"captcha_0": "test", "captcha_1": "PASSED", "consent": "on"}


def clear_rate_limits():
    """Rate-limit counters live in the cache: every test starts from zero."""
    cache.clear()


def review_round(*, cases=3, districts=("huangpu", "pudong", "jiading"), **round_fields):
    """A round in expert review with shortlisted cases (one per district, cycling)."""
    fields = {"year": 2025, "status": Round.Status.REVIEW, **round_fields}
    round_ = RoundFactory(**fields)
    made = [
        CaseFactory(
            round=round_,
            district=district(districts[i % len(districts)]),
            shortlisted=True,
            title=f"入围案例{i + 1}",
        )
        for i in range(cases)
    ]
    return round_, made


SCORES = {"leading": "30", "felt": "20", "replicable": "20"}


def confirmed_submission(assignment, values: dict) -> dict:
    """The POST of a sheet's confirmation page for ``values`` (reviews.views.expert): the
    values, the confirmation and the digest of the scores the page listed."""
    from . import review

    criteria = review.round_criteria(assignment.round)
    scores = review.clean_sheet_values(criteria, values, complete=True)
    return {
        **values,
        "action": "submit",
        "confirmed": "yes",
        "listed": review.scores_fingerprint(assignment, scores),
    }


def reseed_reference_data():
    """Put back the districts and topics that migrations seed. A transactional test ends by
    flushing every table; tests that run after it expect the seeded rows."""
    import importlib

    from django.apps import apps
    from django.test import override_settings

    # Module teardowns run outside the tests' settings: without this, saving the districts
    # starts an archive rebuild thread (core.background) that holds SQLite's lock while the
    # next module's first test flushes or seeds.
    with override_settings(EMBEDDED_TASK_THREADS=False):
        importlib.import_module("cases.migrations.0002_seed_districts").seed(apps, None)
