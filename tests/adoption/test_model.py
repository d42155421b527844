"""The adoption record's rules: what may be recorded as 借鉴, and what stays when a linked
case goes."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from cases import workflow
from cases.models import Adoption, Case, District, Round
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(district_b):
    round_ = published_round(2022)  # notice dated 2022-11-08
    return published_case(round_, tier="优秀案例", rank=1, title="一业一证", district="浦东新区")


def record(source, district, **extra):
    values = dict(
        source=source,
        district=district,
        description="参照浦东做法推行一业一证。",
        since=datetime.date(2023, 3, 1),
        stage=Adoption.Stage.IMPLEMENTED,
    )
    values.update(extra)
    return Adoption(**values)


def test_a_valid_record_saves_pending_with_history(source, district_a):
    adoption = record(source, district_a)
    adoption.full_clean()
    adoption.save()
    assert adoption.status == Adoption.Status.PENDING
    assert adoption.history.count() == 1


def test_the_districts_own_practice_is_not_an_adoption(source, district_b):
    with pytest.raises(ValidationError) as error:
        record(source, district_b).full_clean()
    assert "本区自己的做法" in str(error.value.message_dict["source"])


def test_only_published_cases_are_sources(district_a, district_b):
    round_ = Round.objects.create(year=2024, title="2024", status=Round.Status.SUBMISSION)
    draft = Case.objects.create(round=round_, title="草稿", district=district_b)
    with pytest.raises(ValidationError) as error:
        record(draft, district_a).full_clean()
    assert "已公布" in str(error.value.message_dict["source"])


def test_since_is_not_before_the_sources_publication(source, district_a):
    with pytest.raises(ValidationError) as error:
        record(source, district_a, since=datetime.date(2022, 11, 7)).full_clean()
    assert "2022-11-08" in str(error.value.message_dict["since"])
    record(source, district_a, since=datetime.date(2022, 11, 8)).full_clean()


def test_compilation_cases_and_cases_without_district_are_sources(district_a):
    compilation = published_round(2021, kind=Round.Kind.COMPILATION, tiers=())
    listed = published_case(compilation, tier="", rank=None, title="汇编案例", district="浦东新区")
    unknown = published_case(compilation, tier="", rank=None, title="未注明区", district=None)
    for source in (listed, unknown):
        record(source, district_a, since=datetime.date(2022, 1, 1)).full_clean()


def test_description_is_normalised_and_limited_after_normalising(source, district_a):
    adoption = record(source, district_a, description="  全角１２３\u3000做法  \r\n")
    adoption.full_clean()
    assert adoption.description == "全角123 做法"
    # The limit counts the stored (normalised) text: "㍿" becomes "株式会社".
    record(source, district_a, description="㍿" * 250).full_clean()
    with pytest.raises(ValidationError) as error:
        record(source, district_a, description="㍿" * 251).full_clean()
    assert "description" in error.value.message_dict


def test_own_case_must_be_the_districts_own(source, district_a, district_b):
    round_ = Round.objects.create(year=2024, title="2024", status=Round.Status.SUBMISSION)
    theirs = Case.objects.create(round=round_, title="他区案例", district=district_b)
    with pytest.raises(ValidationError) as error:
        record(source, district_a, own_case=theirs).full_clean()
    assert "own_case" in error.value.message_dict


def test_one_record_per_district_and_source(source, district_a):
    record(source, district_a).save()
    with pytest.raises(ValidationError):
        record(source, district_a).full_clean()


def test_deleting_the_own_case_keeps_the_record(source, district_a):
    round_ = Round.objects.create(year=2024, title="2024", status=Round.Status.SUBMISSION)
    own = Case.objects.create(round=round_, title="本区案例", district=district_a)
    adoption = record(source, district_a, own_case=own)
    adoption.save()
    own.delete()
    adoption.refresh_from_db()
    assert adoption.own_case is None


def test_a_rejected_own_case_loses_the_link_and_the_history_says_so(source, district_a, staff):
    round_ = Round.objects.create(year=2024, title="2024", status=Round.Status.SUBMISSION)
    own = Case.objects.create(
        round=round_, title="本区案例", district=district_a, status=Case.Status.SUBMITTED
    )
    adoption = record(source, district_a, own_case=own)
    adoption.save()
    workflow.reject(case=own, user=staff, reason="不符合要求")
    adoption.refresh_from_db()
    assert adoption.own_case is None
    assert adoption.history.first().own_case_id is None
    assert adoption.history.last().own_case_id == own.pk


def test_districts_are_seeded(db):
    assert District.objects.filter(code__in=["jiading", "pudong"]).count() == 2


def test_without_a_notice_date_the_day_of_publication_in_the_system_counts(district_a):
    from django.utils import timezone

    round_ = published_round(
        2023, notice_date=None, published_at=timezone.make_aware(datetime.datetime(2023, 12, 1))
    )
    source = published_case(round_, tier="优秀案例", rank=1, title="新做法", district="浦东新区")
    with pytest.raises(ValidationError):
        record(source, district_a, since=datetime.date(2023, 11, 30)).full_clean()
    record(source, district_a, since=datetime.date(2023, 12, 1)).full_clean()
