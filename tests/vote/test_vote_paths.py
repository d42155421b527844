"""The public's way to the vote and back to the case they tapped (issue #20)."""

import pytest
from django.urls import reverse

from cases.models import Round
from core.text import quoted
from reviews.factories import (
    CAPTCHA_PASSED,
    CaseFactory,
    RoundFactory,
)
from reviews.models import Vote

PHONE = "13912345678"


# The memory SMS sender and clean rate limits (tests/vote/conftest.py).
pytestmark = pytest.mark.usefixtures("sms")


@pytest.fixture
def round_(db):
    round_ = RoundFactory(votes_per_voter=2, title="2026年度投票")
    CaseFactory(round=round_, title="“首违不罚”清单制度")
    CaseFactory(round=round_, title="受理案例乙")
    return round_


def verify(client, sms, next_url=None):
    data = {"phone": PHONE, **CAPTCHA_PASSED}
    if next_url:
        data["next"] = next_url
    client.post(reverse("vote:phone"), data)
    return client.post(
        reverse("vote:verify"), {"code": sms.last_code(PHONE), "next": next_url or ""}
    )


def card_slot(page, case_pk):
    """The message slot inside one case's card."""
    start = page.index(f'data-testid="card-message-{case_pk}"')
    return page[start : page.index("</div></div>", start)]


def test_the_home_page_and_the_navigation_lead_to_an_open_vote(client, round_):
    page = client.get(reverse("home")).content.decode()
    assert 'data-testid="open-vote-card"' in page and "参与投票" in page
    assert reverse("vote:round", args=[round_.pk]) in page
    assert 'data-testid="nav-vote"' in page
    # Elsewhere too: the archive's navigation.
    assert 'data-testid="nav-vote"' in client.get(reverse("cases:archive")).content.decode()


def test_no_vote_card_or_nav_item_when_no_vote_is_open(client, round_):
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    page = client.get(reverse("home")).content.decode()
    assert "open-vote-card" not in page and "nav-vote" not in page


def test_a_title_with_its_own_quotes_is_quoted_once():
    assert quoted("“首违不罚”清单制度") == "“‘首违不罚’清单制度”"
    assert quoted("“益”企助企") == "“‘益’企助企”"
    assert quoted("“一网通办”") == "“一网通办”"
    assert quoted("推进商事登记确认制") == "“推进商事登记确认制”"


def test_the_vote_message_does_not_double_the_quotes(client, round_, sms):
    case = round_.cases.get(title="“首违不罚”清单制度")
    verify(client, sms)
    answer = client.post(
        reverse("vote:cast", args=[round_.pk, case.pk]), HTTP_ACCEPT="application/json"
    ).json()
    assert answer["ok"] and "““" not in answer["message"]
    assert "已为“‘首违不罚’清单制度”投票" in answer["message"]


def test_without_script_the_answer_lands_in_the_tapped_card(client, round_, sms):
    case = round_.cases.get(title="受理案例乙")
    verify(client, sms)
    round_url = reverse("vote:round", args=[round_.pk])
    response = client.post(reverse("vote:cast", args=[round_.pk, case.pk]), {"next": round_url})
    assert response.status_code == 302
    assert response.url == f"{round_url}#vote-case-{case.pk}"
    page = client.get(response.url).content.decode()
    assert "已为“受理案例乙”投票" in card_slot(page, case.pk)
    # Said once, in the card: not again at the top of the page.
    assert page.count("已为“受理案例乙”投票") == 1


def test_after_verifying_the_phone_the_tapped_vote_is_offered_again(client, round_, sms):
    case = round_.cases.get(title="受理案例乙")
    round_url = reverse("vote:round", args=[round_.pk])
    tapped = client.post(reverse("vote:cast", args=[round_.pk, case.pk]), {"next": round_url})
    assert tapped.url.startswith(reverse("vote:phone"))
    response = verify(client, sms, next_url=round_url)
    assert response.status_code == 302
    assert response.url == f"{round_url}#vote-case-{case.pk}"
    page = client.get(response.url).content.decode()
    said = card_slot(page, case.pk)
    assert "您选择的“受理案例乙”在此" in said
    # The first tap did not count: the card says so (#32).
    assert "验证成功，请再次点击投票" in said and "尚未投出" in said
    card = page[page.index(f'id="vote-case-{case.pk}"') :]
    assert card.index(f'data-testid="vote-{case.pk}"') < card.index("card-message")  # its button
    assert not Vote.objects.exists()
    # Offered once: the next visit is an ordinary page.
    assert "您选择的" not in client.get(round_url).content.decode()


def test_a_link_cannot_choose_the_case_offered_after_verification(client, round_, sms):
    other = round_.cases.get(title="受理案例乙")
    crafted = reverse("vote:round", args=[round_.pk]) + f"?case={other.pk}#vote-case-{other.pk}"
    response = verify(client, sms, next_url=crafted)
    page = client.get(response.url).content.decode()
    assert "您选择的" not in page and "手机号验证成功，现在可以投票了。" in page


def test_a_district_mail_quotes_a_quoted_title_once(
    db, settings, django_capture_on_commit_callbacks
):
    """The same class of fault in the mail to the district (cases.notifications)."""
    from django.core import mail

    from cases import workflow
    from cases.models import Case, District
    from tests.conftest import make_user

    district = District.objects.get(code="jiading")
    officer = make_user("officer_q", role="officer", district=district, email="q@example.cn")
    staff = make_user("staff_q", role="staff")
    open_round = RoundFactory(year=2031, status=Round.Status.SUBMISSION)
    case = CaseFactory(
        round=open_round,
        district=district,
        title="“首违不罚”清单制度",
        status=Case.Status.SUBMITTED,
        created_by=officer,
    )
    with django_capture_on_commit_callbacks(execute=True):
        workflow.set_case_status(case=case, to=Case.Status.ACCEPTED, user=staff)
    assert mail.outbox, "no mail to the district"
    subject, body = mail.outbox[0].subject, mail.outbox[0].body
    assert "案例“‘首违不罚’清单制度”已受理" in subject and "““" not in subject
    assert "““" not in body and "“‘首违不罚’清单制度" in body
