"""After a vote, only the voted case's count goes up (#27): every badge of the page read back,
the voted card not the first, with JavaScript and without."""

import re

import pytest
from django.urls import reverse

from cases.models import Case
from reviews.factories import CaseFactory, RoundFactory, clear_rate_limits
from reviews.models import Voter
from reviews.vote import identity


@pytest.fixture
def live_round(transactional_db):
    clear_rate_limits()
    round_ = RoundFactory(year=2026, votes_per_voter=3, vote_count_mode="live")
    cases = [CaseFactory(round=round_, title=f"计数案例{n}") for n in range(4)]
    for case, count in zip(cases, (5, 7, 9, 11), strict=True):
        Case.objects.filter(pk=case.pk).update(vote_count=count)
    return round_, cases


def verified(page, phone):
    """The page's browser carries a verified voter's cookie (the phone proven elsewhere)."""
    voter = Voter.objects.create(phone=phone)
    page.context.add_cookies(
        [
            {
                "name": identity.VOTER_COOKIE,
                "value": identity.voter_cookie(voter.pk, voter.token_version),
                "url": page.base_url + "/vote/",
            }
        ]
    )


def badges(page, cases) -> list[int]:
    return [
        int(re.match(r"\d+", page.locator(f"[data-testid=public-count-{c.pk}]").inner_text())[0])
        for c in cases
    ]


@pytest.mark.browser
@pytest.mark.parametrize("script", [True, False], ids=["javascript", "no-javascript"])
def test_a_vote_raises_its_own_badge_and_no_other(browser, live_server, live_round, script):
    round_, cases = live_round
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 900}, java_script_enabled=script
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.base_url = live_server.url
    verified(page, "13800000031" if script else "13800000032")
    expected = [5, 7, 9, 11]
    # The third card, then the second, then (on its own page) the fourth.
    for index, on_case_page in ((2, False), (1, False), (3, True)):
        case = cases[index]
        url = reverse(
            "vote:case" if on_case_page else "vote:round",
            args=[round_.pk, case.pk][: 1 + on_case_page],
        )
        page.goto(live_server.url + url)
        shown = cases[index : index + 1] if on_case_page else cases
        before = badges(page, shown)
        page.locator(f"[data-testid=vote-{case.pk}]").click()
        page.wait_for_selector(f"[data-testid=card-message-{case.pk}] >> text=已为")
        expected[index] += 1
        assert badges(page, shown) == [
            expected[i] for i in (range(4) if not on_case_page else [index])
        ]
        assert before != badges(page, shown)
        # What the server holds is what the page showed.
        page.goto(live_server.url + f"/vote/{round_.pk}/")
        assert badges(page, cases) == expected
    context.close()
