"""Standing users for every test: officers of two districts, experts, staff, anonymous."""

import pytest
from django.contrib.auth import get_user_model

from cases.models import District, Round

PASSWORD = "test-pass-123"


def make_user(username, role="", district=None, organisation="", **extra):
    user = get_user_model().objects.create_user(
        username=username, password=PASSWORD, role=role, district=district,
        organisation=organisation, **extra,
    )
    return user


@pytest.fixture
def district_a(db):
    return District.objects.get(code="jiading")


@pytest.fixture
def district_b(db):
    return District.objects.get(code="pudong")


@pytest.fixture
def officer_a(district_a):
    return make_user("officer_a", role="officer", district=district_a, organisation="嘉定区发改委")


@pytest.fixture
def officer_b(district_b):
    return make_user("officer_b", role="officer", district=district_b, organisation="浦东新区发改委")


@pytest.fixture
def expert(db):
    return make_user("expert", role="expert", organisation="复旦大学")


@pytest.fixture
def expert_b(district_b):
    """An expert from district B: recused from B's cases."""
    return make_user("expert_b", role="expert", district=district_b, organisation="浦东律师协会")


@pytest.fixture
def staff(db):
    return make_user("staff", role="staff", is_staff=True)


@pytest.fixture
def published_round(db):
    return Round.objects.create(
        year=2021, title="2021 年度", status=Round.Status.PUBLISHED,
        tiers=[{"name": "优秀案例", "size": 2}, {"name": "良好实践", "size": 2}],
    )
