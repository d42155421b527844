"""Who gets what: role × page × case state, with the exact status codes.

Conventions: anonymous → 302 to the login page; a user who may not see the case → 404 (another
district learns nothing); a user who may see it but not do the action → 403.
"""

import pytest
from django.urls import reverse

from cases.models import Case

S = Case.Status
USERS = ["anonymous", "officer_a", "officer_b", "expert", "staff"]
STATES = [S.DRAFT, S.SUBMITTED, S.RETURNED, S.ACCEPTED, S.REJECTED, S.WITHDRAWN]
EDITABLE = {S.DRAFT, S.RETURNED}
WITHDRAWABLE = {S.SUBMITTED, S.RETURNED, S.ACCEPTED}
SUBMITTABLE = {S.DRAFT, S.RETURNED}


def client_for(request, client, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    return client


def expected_read(who, state):
    return {"anonymous": 302, "officer_a": 200, "officer_b": 404, "expert": 404, "staff": 200}[who]


def expected_edit(who, state):
    if who == "officer_a":
        return 200 if state in EDITABLE else 403
    return {"anonymous": 302, "officer_b": 404, "expert": 404, "staff": 403}[who]


def expected_staff_page(who, state):
    return {"anonymous": 302, "staff": 200}.get(who, 403)


def expected_post(allowed_states):
    def expected(who, state):
        if who == "officer_a":
            return 302 if state in allowed_states else 403
        return {"anonymous": 302, "officer_b": 404, "expert": 404, "staff": 403}[who]

    return expected


def expected_review(who, state):
    if who == "staff":
        return 302 if state == S.SUBMITTED else 403
    return 302 if who == "anonymous" else 403


CASE_PAGES = {
    "submission_detail": ("get", expected_read),
    "submission_preview": ("get", expected_read),
    "submission_history": ("get", expected_read),
    "submission_edit": ("get", expected_edit),
    "staff_case": ("get", expected_staff_page),
    # Confirmed, as the confirmation page posts it (core.confirm).
    "submission_submit": ("post", expected_post(SUBMITTABLE), {"confirmed": "yes"}),
    "submission_withdraw": ("post", expected_post(WITHDRAWABLE)),
    "submission_delete": ("post", expected_post({S.DRAFT}), {"confirmed": "yes"}),
    "attachment_upload": ("post", expected_post(EDITABLE)),
}


@pytest.mark.parametrize("page", list(CASE_PAGES))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", USERS)
def test_case_page_matrix(request, client, case_factory, page, state, who):
    case = case_factory(state, title="嘉定区保密案例标题")
    method, expected, *data = CASE_PAGES[page]
    client = client_for(request, client, who)
    url = reverse(f"cases:{page}", args=[case.pk])
    response = getattr(client, method)(url, *data)
    code = expected(who, state)
    assert response.status_code == code
    if code == 302 and who == "anonymous":
        assert response.url.startswith(reverse("login") + "?next=")
    if page == "submission_edit" and who == "officer_a" and code == 403:
        # The district's own locked case: the officer is told why and how to get it back.
        assert "已锁定" in response.content.decode()
    elif code in (403, 404):
        assert "嘉定区保密案例标题" not in response.content.decode()


@pytest.mark.parametrize("action", ["accept", "return", "reject"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("who", USERS)
def test_review_action_matrix(request, client, case_factory, action, state, who):
    case = case_factory(state)
    client = client_for(request, client, who)
    url = reverse("cases:staff_case_action", args=[case.pk, action])
    # Confirmed (core.confirm): the step itself, not its confirmation page.
    response = client.post(url, {"reason": "材料不全", "confirmed": "yes"})
    assert response.status_code == expected_review(who, state)
    case.refresh_from_db()
    if who == "staff" and state == S.SUBMITTED:
        assert (
            case.status
            == {"accept": S.ACCEPTED, "return": S.RETURNED, "reject": S.REJECTED}[action]
        )
    else:
        assert case.status == state


ROLE_PAGES = {
    # url name, args builder, expected per user
    "my_cases": {"anonymous": 302, "officer_a": 200, "officer_b": 200, "expert": 403, "staff": 403},
    "submission_create": {
        "anonymous": 302,
        "officer_a": 200,
        "officer_b": 200,
        "expert": 403,
        "staff": 403,
    },
    "staff_dashboard": {
        "anonymous": 302,
        "officer_a": 403,
        "officer_b": 403,
        "expert": 403,
        "staff": 200,
    },
    "staff_rounds": {
        "anonymous": 302,
        "officer_a": 403,
        "officer_b": 403,
        "expert": 403,
        "staff": 200,
    },
    "staff_round_create": {
        "anonymous": 302,
        "officer_a": 403,
        "officer_b": 403,
        "expert": 403,
        "staff": 200,
    },
    "staff_round_edit": {
        "anonymous": 302,
        "officer_a": 403,
        "officer_b": 403,
        "expert": 403,
        "staff": 200,
    },
    "staff_export": {
        "anonymous": 302,
        "officer_a": 403,
        "officer_b": 403,
        "expert": 403,
        "staff": 200,
    },
}


@pytest.mark.parametrize("page", list(ROLE_PAGES))
@pytest.mark.parametrize("who", USERS)
def test_role_page_matrix(request, client, open_round, page, who):
    client = client_for(request, client, who)
    args = (
        []
        if page in ("my_cases", "staff_dashboard", "staff_rounds", "staff_round_create")
        else [open_round.pk]
    )
    response = client.get(reverse(f"cases:{page}", args=args))
    assert response.status_code == ROLE_PAGES[page][who]


def test_officer_list_shows_only_own_district(client, officer_b, case_factory, district_b):
    case_factory(S.SUBMITTED, title="嘉定区的案例")
    case_factory(S.SUBMITTED, title="浦东新区的案例", district=district_b)
    client.force_login(officer_b)
    content = client.get(reverse("cases:my_cases")).content.decode()
    assert "浦东新区的案例" in content
    assert "嘉定区的案例" not in content


def test_no_new_case_after_the_closing_time(client, officer_a, open_round):
    from datetime import timedelta

    from django.utils import timezone

    open_round.submission_closes = timezone.now() - timedelta(minutes=1)
    open_round.save()
    client.force_login(officer_a)
    assert client.get(reverse("cases:submission_create", args=[open_round.pk])).status_code == 403
    response = client.post(
        reverse("cases:submission_create", args=[open_round.pk]), {"title": "迟到的案例"}
    )
    assert response.status_code == 403
    assert not Case.objects.filter(title="迟到的案例").exists()


def test_public_case_page_hides_unpublished_cases(client, case_factory, expert):
    case = case_factory(S.ACCEPTED)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    client.force_login(expert)  # signed in, and still told nothing
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404


@pytest.mark.parametrize("role", ["staff", "", "officer", "expert"])
def test_a_superuser_without_a_district_is_told_and_creates_no_case(client, open_round, role):
    """A superuser passes every permission check but belongs to no district (#27): the
    officers' pages say so on a clear page, never a 500, and no case without a district is
    ever created there."""
    from tests.conftest import make_user

    client.force_login(make_user(f"super_{role or 'none'}", role=role, is_superuser=True))
    mine = client.get(reverse("cases:my_cases"))
    create = reverse("cases:submission_create", args=[open_round.pk])
    for response in (mine, client.get(create), client.post(create, {"title": "无区案例"})):
        assert response.status_code == 403
        assert "您的账号未关联任何区" in response.content.decode()
    for action in ("draft", "submit", "preview"):
        client.post(create, {"title": "无区案例", "summary": "摘要", "action": action})
    assert not Case.objects.filter(district__isnull=True).exists()
