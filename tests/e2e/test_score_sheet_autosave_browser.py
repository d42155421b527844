"""The expert's score sheet keeps what was typed through the idle timeout (issue 31): the
session ends while the expert pauses, they log in again and find their scores back."""

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from accounts.middleware import ACTIVITY_KEY
from reviews import review
from reviews.factories import CaseFactory, RoundFactory, district
from reviews.models import ScoreSheet
from tests.conftest import PASSWORD
from tests.e2e.conftest import login

pytestmark = pytest.mark.browser


def test_scores_typed_before_the_idle_timeout_come_back_after_login(page, expert):
    base = page.base_url
    round_ = RoundFactory(year=2026, status="review")
    case = CaseFactory(round=round_, district=district("huangpu"), shortlisted=True)
    assignment = review.add_assignment(case=case, expert=expert)
    login(page, "expert")
    page.goto(base + f"/selection/expert/sheets/{assignment.pk}/")
    page.fill("input[name=leading]", "36")
    page.fill("input[name=felt]", "25.5")

    # The expert pauses past SESSION_IDLE_MINUTES: the session's stamp is that old.
    cookie = next(c for c in page.context.cookies() if c["name"] == "sessionid")
    session = import_string(settings.SESSION_ENGINE + ".SessionStore")(cookie["value"])
    session[ACTIVITY_KEY] -= (settings.SESSION_IDLE_MINUTES + 1) * 60
    session.save()
    page.click("button[name=action][value=save]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" in page.url and "next=" in page.url
    assert not ScoreSheet.objects.filter(assignment=assignment).exists()

    page.fill("input[name=username]", "expert")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/selection/expert/sheets/{assignment.pk}/")
    assert page.locator("#score-autosave-restored").is_visible()
    assert page.input_value("input[name=leading]") == "36"
    assert page.input_value("input[name=felt]") == "25.5"
