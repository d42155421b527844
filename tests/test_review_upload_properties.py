"""Hostile input to the score-sheet upload: whatever the file holds, the preview answers with
row-numbered messages or clean sheets, never an exception, and saves nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews import review
from reviews.factories import review_round
from reviews.models import ScoreSheet
from reviews.score_upload import apply_upload, parse_upload

pytestmark = pytest.mark.django_db

SLOW_FIXTURES = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def round_(db, expert, expert_b):
    round_, _cases = review_round()
    review.assign_default(round=round_)
    return round_


def check_preview(round_, data):
    preview = parse_upload(round=round_, data=data)
    for error in preview.errors:
        assert error.line >= 1 and str(error).startswith("第 ")
    for sheet in preview.sheets:
        for value in sheet.values.values():
            assert Decimal(value) >= 0
    assert not ScoreSheet.objects.exists()  # a preview never saves
    return preview


@SLOW_FIXTURES
@given(data=st.binary(max_size=400))
def test_arbitrary_bytes_get_a_preview_not_an_exception(round_, data):
    check_preview(round_, data)


CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["leading", "felt", "replicable", "expert", "expert_b", "1", "2", "3"]),
    st.decimals(allow_nan=True, allow_infinity=True, places=3).map(str),
    st.integers(-10, 10**6).map(str),
)


@SLOW_FIXTURES
@given(rows=st.lists(st.lists(CELL, min_size=0, max_size=6), max_size=8))
def test_arbitrary_rows_are_previewed_and_a_bad_file_saves_nothing(round_, staff, rows):
    def quote(cell):
        return '"' + cell.replace('"', '""') + '"'

    lines = ["case,expert,criterion,score", *(",".join(quote(c) for c in row) for row in rows)]
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    preview = check_preview(round_, data)
    if not preview.ok:
        with pytest.raises(ValidationError):
            apply_upload(round=round_, data=data, user=staff)
        assert not ScoreSheet.objects.exists()
