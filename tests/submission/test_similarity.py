"""Similarity: pure functions, and the real duplicate printed in the 2022 notice."""

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case, Round
from cases.submission import neardup, similarity

NOTICE = Path(__file__).resolve().parents[2] / "cases" / "data" / "notices" / "2022.txt"
RANK_LINE = re.compile(r"^\s*排名\d+\s*$")


def notice_chunks():
    """The 2022 notice cut at every "排名N" line: {first line number (1-based): lines}.

    A plain cut for test data, not the notice parser."""
    lines = NOTICE.read_text(encoding="utf-8").splitlines()
    starts = [i for i, line in enumerate(lines) if RANK_LINE.match(line)]
    chunks = {}
    for a, b in zip(starts, [*starts[1:], len(lines)], strict=True):
        body = [line.strip() for line in lines[a + 1 : b] if line.strip()]
        chunks[a + 1] = body
    return chunks


def case_from(lines, round_, status):
    return Case.objects.create(
        round=round_,
        title=lines[0],
        sections=[{"heading": "", "body": "\n".join(lines[1:])}],
        status=status,
    )


# --- pure functions -----------------------------------------------------------------------------


def test_identical_texts_score_one_and_disjoint_texts_zero():
    assert similarity.similarity("推进商事登记确认制", "推进商事登记确认制") == 1.0
    assert similarity.similarity("推进商事登记确认制", "打造法律服务集聚圈") == 0.0
    assert similarity.similarity("", "任何文字") == 0.0


def test_punctuation_spacing_and_full_width_do_not_matter():
    a = "年均办件量83.97万件，压缩80%。"
    b = "年均办件量 ８３.９７ 万件,压缩 80% "
    assert similarity.similarity(a, b) == 1.0


def test_most_similar_ranks_best_first_and_drops_zero_scores():
    index = similarity.build_index(
        [("copy", "一网通办企业开办一日办结"), ("half", "一网通办企业服务"), ("none", "法治保障")]
    )
    result = similarity.most_similar(similarity.shingles("一网通办企业开办一日办结"), index)
    assert [key for key, _ in result] == ["copy", "half"]
    assert result[0][1] == 1.0 and 0 < result[1][1] < 1


@given(st.text(min_size=0, max_size=60), st.text(min_size=0, max_size=60))
def test_similarity_is_symmetric_and_bounded(a, b):
    score = similarity.similarity(a, b)
    assert score == similarity.similarity(b, a)
    assert 0.0 <= score <= 1.0


# --- the real 2022 duplicate ------------------------------------------------------------------


@pytest.fixture
def archive_2022(db):
    """The 2022 notice as a published archive, with the duplicate printed only once."""
    round_ = Round.objects.create(year=2022, title="2022 年度", status=Round.Status.PUBLISHED)
    chunks = notice_chunks()
    assert chunks[465][0] == "打造“法律服务产业集聚圈”" == chunks[491][0]
    cases = {
        start: case_from(lines, round_, Case.Status.PUBLISHED)
        for start, lines in chunks.items()
        if start != 491
    }
    return cases, chunks


def test_the_2022_duplicate_scores_about_100_percent(archive_2022, open_round, district_a):
    cases, chunks = archive_2022
    submission = case_from(chunks[491], open_round, Case.Status.SUBMITTED)

    matches = neardup.submission_matches(submission, limit=5)

    best, score = matches[0]
    assert best == cases[465]
    assert score >= 0.99
    assert score >= similarity.NEAR_COPY


def test_unrelated_2022_cases_score_low(archive_2022, open_round):
    cases, chunks = archive_2022
    submission = case_from(chunks[491], open_round, Case.Status.SUBMITTED)
    scores = {other.pk: score for other, score in neardup.submission_matches(submission, limit=50)}
    unrelated = [case.pk for start, case in cases.items() if start != 465]
    assert len(unrelated) == 20  # 11 + 11 printed, less the two copies
    assert max(scores.get(pk, 0.0) for pk in unrelated) < 0.1


def test_similar_cases_shows_only_published_cases_by_default(archive_2022, open_round):
    cases, chunks = archive_2022
    draft_copy = case_from(chunks[465], open_round, Case.Status.SUBMITTED)
    archived = cases[465]
    related = similarity.similar_cases(archived, limit=3)
    assert draft_copy not in [c for c, _ in related]
    assert archived not in [c for c, _ in related]
    assert len(related) == 3


def test_drafts_are_not_compared(archive_2022, open_round):
    cases, chunks = archive_2022
    draft = case_from(chunks[517], open_round, Case.Status.DRAFT)
    submission = case_from(chunks[491], open_round, Case.Status.SUBMITTED)
    assert draft not in [c for c, _ in neardup.submission_matches(submission, limit=50)]
