"""Search on both databases: every query length gives what icontains gives, and the indexes
follow inserts, edits and deletes."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.archive import search
from cases.archive.query import ArchiveFilters, archive_cases, paginate
from cases.models import Case
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db

TEXTS = [
    "嘉定区推出“小嘉帮办”服务，年均办件量83.97万件。",
    "浦东新区以立法为抓手，推进商事登记确认制。",
    "静安区税务局推出智能退税系统，退税第二天就到账。",
    "法治化营商环境：Legal AI 服务平台上线。",
]


@pytest.fixture
def cases():
    round_ = published_round(2022)
    return [
        published_case(round_, tier="优秀案例", rank=i + 1, title=f"案例{i}", body=text)
        for i, text in enumerate(TEXTS)
    ]


def found(query):
    return set(search.filter_cases(Case.objects.all(), query).values_list("title", flat=True))


def expected(query):
    words = search.normalise_query(query).split(" ")
    return {
        c.title
        for c in Case.objects.all()
        if all(w.lower() in c.search_text.lower() for w in words if w)
    }


@pytest.mark.parametrize(
    "query",
    [
        "帮办",
        "退税",
        "ai",
        "AI",
        "83",
        "帮",
        "“小",
        "办件量",
        "营商环境",
        "Legal",
        "税务 退税",
        "鲸鱼",
        "区推",
    ],
)
def test_every_query_length_matches_icontains(cases, query):
    assert found(query) == expected(query)


def test_two_character_words_use_the_bigram_index(cases, django_assert_num_queries):
    from django.db import connection

    sql = str(search.filter_cases(Case.objects.all(), "帮办").query)
    if connection.vendor == "sqlite":
        assert search.BIGRAM_TABLE in sql and "LIKE" not in sql.upper()
    elif search.gram_index_available():
        # The positional index; LIKE only for the texts too long for it.
        assert search.GRAMS_TABLE in sql and "LIKE" not in sql.upper()
    else:
        assert "cases_case_bigrams" in sql and "LIKE" not in sql.upper()


@pytest.fixture
def gram_index(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the positional index is PostgreSQL's (the scale-out CI job)")
    # On PostgreSQL the index is required: a database without rum fails here, never skips.
    assert search.gram_index_available(), (
        "PostgreSQL without the rum extension: install postgresql-15-rum "
        "(scripts/system-packages.sh servers) and migrate"
    )


@pytest.mark.parametrize(
    "body, query, hit",
    [
        ("推行一网通办改革", "一网通办", True),
        ("推行一网通办改革", "网通办改", True),
        ("一网。网通", "一网通", False),  # the two bigrams exist, but not next to each other
        ("一网，通办", "一网通办", False),
        ("办办办", "办办办", True),  # a bigram repeated at consecutive positions
        ("办办", "办办办", False),
        ("Legal AI 服务平台", "ai服务", False),  # a space between them in the text
        ("Legal AI服务平台", "AI服务", True),  # stored lower-cased, searched lower-cased
        ("2022年度", "22年度", True),
    ],
)
def test_the_positional_index_matches_exactly(gram_index, body, query, hit):
    case = published_case(published_round(2022), tier="优秀案例", rank=1, title="甲", body=body)
    sql = str(search.filter_cases(Case.objects.all(), query).query)
    assert search.GRAMS_TABLE in sql
    assert (case.title in found(query)) is hit


def test_a_text_longer_than_the_index_positions_is_still_found(gram_index):
    filler = "甲乙" * (search.MAX_GRAM_POSITION // 2 + 10)
    case = published_case(
        published_round(2022), tier="优秀案例", rank=1, title="长", body=filler + "营商环境"
    )
    assert found("营商环境") == {case.title}
    assert found("乙甲乙") == {case.title}


def test_the_bigram_index_follows_edits_and_deletes(cases):
    case = cases[0]
    case.sections = [{"heading": "", "body": "改为讲述跨境贸易。"}]
    case.save()
    assert found("帮办") == set()
    assert found("跨境") == {"案例0"}
    cases[1].delete()
    assert found("立法") == set()


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="帮办退税区推立法营商环境AIai83 ，。", min_size=1, max_size=4))
def test_short_queries_equal_icontains_for_any_text(query):
    # Hypothesis runs inside the test's transaction: build the data once per example.
    if not Case.objects.exists():
        round_ = published_round(2022)
        for i, text in enumerate(TEXTS):
            published_case(round_, tier="优秀案例", rank=i + 1, title=f"案例{i}", body=text)
    assert found(query) == expected(query)


def test_archive_pages_read_rows_only_for_the_page(cases):
    filters = ArchiveFilters.from_params({"q": "推出"})
    page = paginate(archive_cases(filters).select_related("round"), 1, 1)
    assert page.paginator.count == 2 and len(page.object_list) == 1
    assert page.object_list[0].round.year == 2022
    assert isinstance(page.object_list[0], Case)
