"""Staff run the round from one workspace (issue #19): the next-action rule, the page, where
staff land after login and after the forced password change, and one navigation bar."""

import pytest
from django.urls import reverse

from cases.models import Case, Round
from publishing.workspace import Facts, next_action
from reviews.factories import CaseFactory, RoundFactory
from tests.conftest import PASSWORD, make_user, pass_second_factor

S = Round.Status


@pytest.mark.parametrize(
    "facts, key",
    [
        (Facts(S.DRAFT, has_windows=False), "set_up"),
        (Facts(S.DRAFT), "open_submission"),
        (Facts(S.SUBMISSION), "await_submissions"),
        (Facts(S.SUBMISSION, submitted=2, accepted=3), "check_in"),
        (Facts(S.SUBMISSION, accepted=3), "open_vote"),
        (Facts(S.VOTING, accepted=3), "close_vote"),
        (Facts(S.REVIEW), "assign_experts"),
        (Facts(S.REVIEW, assignments=6), "close_review"),
        (Facts(S.REVIEW, assignments=6, review_closed=True), "approve"),
        (Facts(S.APPROVED), "start_publicity"),
        (Facts(S.PUBLICITY, publicity_running=True, open_objections=1), "answer_objections"),
        (Facts(S.PUBLICITY, open_objections=1), "answer_objections"),
        (Facts(S.PUBLICITY, publicity_running=True), "await_publicity"),
        (Facts(S.PUBLICITY), "publish"),
        (Facts(S.PUBLISHED), "done"),
    ],
)
def test_each_phase_has_one_next_action(facts, key):
    assert next_action(facts).key == key


def test_every_phase_is_covered_by_the_rule():
    for status in S.values:
        assert next_action(Facts(status)).label


def test_the_workspace_lists_each_round_with_its_next_step(client, staff, district_a):
    submission = RoundFactory(year=2027, status=S.SUBMISSION)
    CaseFactory(round=submission, status=Case.Status.SUBMITTED, district=district_a)
    voting = RoundFactory(year=2026, status=S.VOTING)
    client.force_login(staff)
    page = client.get(reverse("publishing:workspace"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "受理申报" in html and "结束投票" in html
    assert f"{reverse('cases:staff_dashboard')}?round={submission.pk}" in html
    assert reverse("reviews:votes", args=[voting.pk]) in html
    assert reverse("accounts:audit") in html


def test_the_workspace_counts_the_districts_unanswered_return_requests(
    client, staff, officer_a, district_a
):
    from cases import workflow

    submission = RoundFactory(year=2027, status=S.SUBMISSION)
    asked, other = (
        CaseFactory(round=submission, status=Case.Status.SUBMITTED, district=district_a)
        for _ in range(2)
    )
    client.force_login(staff)
    workspace = reverse("publishing:workspace")
    assert 'data-testid="return-requests"' not in client.get(workspace).content.decode()
    workflow.request_return(case=asked, user=officer_a, reason="数据填错")
    workflow.request_return(case=other, user=officer_a, reason="标题有误")
    assert "申请退回 2 件" in client.get(workspace).content.decode()
    workflow.decline_return_request(case=other, user=staff, answer="不必修改")
    assert "申请退回 1 件" in client.get(workspace).content.decode()


@pytest.mark.parametrize("who, code", [("officer_a", 403), ("expert", 403)])
def test_only_staff_open_the_workspace(db, client, request, who, code):
    # ``db`` named here, not only through the user fixture fetched below: the autouse
    # reference-data fixture then puts back the districts a transactional test flushed.
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("publishing:workspace")).status_code == code


def test_staff_land_on_the_workspace_after_login(client, staff):
    staff.set_password("Secret-Harbor-8823")
    staff.save()
    response = client.post(
        reverse("login"), {"username": "staff", "password": "Secret-Harbor-8823"}, follow=True
    )
    # Staff log in with a second factor (accounts.two_factor): the first login enrols it.
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    response = pass_second_factor(client, staff, next_url=reverse("accounts:home"))
    assert response.redirect_chain[-1][0] == reverse("publishing:workspace")


def test_staff_land_on_the_workspace_after_the_forced_password_change(client, db):
    user = make_user("staff_new", role="staff", is_staff=True, must_change_password=True)
    client.force_login(user)
    assert client.get(reverse("accounts:home")).url == reverse("password_change")
    mine = "晨光-Harbor-8823"
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": mine, "new_password2": mine},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("publishing:workspace")
    assert "密码已修改" in response.content.decode()


def test_one_staff_bar_everywhere_without_the_experts_page(client, staff, published_round):
    client.force_login(staff)
    for url in (
        reverse("publishing:workspace"),
        reverse("cases:staff_dashboard"),
        reverse("reviews:rounds"),
        reverse("publishing:rounds"),
        reverse("accounts:audit"),
        reverse("cases:archive"),
    ):
        html = client.get(url).content.decode()
        nav = html.split("<nav", 1)[1].split("</nav>", 1)[0]
        for label in ("工作台", "申报受理", "投票评审", "公示公布", "操作记录"):
            assert label in nav, (url, label)
        assert "我的评审" not in nav, url


def test_a_superuser_is_not_offered_the_experts_page(client, db):
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)
    nav = client.get(reverse("publishing:workspace")).content.decode().split("</nav>", 1)[0]
    assert "工作台" in nav and "我的评审" not in nav


def test_an_expert_keeps_their_review_page(client, expert):
    client.force_login(expert)
    nav = client.get(reverse("reviews:expert_home")).content.decode().split("</nav>", 1)[0]
    assert "我的评审" in nav and "工作台" not in nav
