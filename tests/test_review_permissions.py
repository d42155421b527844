"""Who may open which page of the selection: role × page, in one table.

Roles: anonymous, voter (a verified phone in the session, no account), officer, expert,
recused expert (an expert who declared a conflict on the case in question), staff.
"""

import pytest
from django.urls import reverse

from reviews import review
from reviews.factories import VoterFactory, review_round
from reviews.models import Assignment
from reviews.vote.identity import VOTER_COOKIE, voter_cookie

LOGIN = "login"
ROLES = ["anonymous", "voter", "officer", "expert", "recused_expert", "staff"]

# page -> expected outcome per role, in ROLES order. 200 ok, LOGIN = redirect to login.
MATRIX = {
    "vote:index": [302, 302, 302, 302, 302, 302],  # to the only round in voting
    "vote:round": [200, 200, 200, 200, 200, 200],
    "vote:case": [200, 200, 200, 200, 200, 200],
    "reviews:rounds": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:experts": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:votes": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:vote_data": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:assignments": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:upload": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:results": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:print_for": [LOGIN, LOGIN, 403, 403, 403, 200],
    "reviews:expert_home": [LOGIN, LOGIN, 403, 200, 200, 403],
    "reviews:print_mine": [LOGIN, LOGIN, 403, 200, 200, 403],
    # The expert's own sheet; the recused expert asks for that same (not their) sheet.
    "reviews:sheet": [LOGIN, LOGIN, 403, 200, 404, 403],
    "reviews:own_recused_sheet": [LOGIN, LOGIN, 403, 404, 200, 403],
}
POST_MATRIX = {
    "reviews:close_vote": [LOGIN, LOGIN, 403, 403, 403, 302],
    "reviews:void": [LOGIN, LOGIN, 403, 403, 403, 302],
    "reviews:approve": [LOGIN, LOGIN, 403, 403, 403, 302],
    "reviews:assignment_action": [LOGIN, LOGIN, 403, 403, 403, 302],
    "reviews:recuse": [LOGIN, LOGIN, 403, 302, 404, 403],
}


@pytest.fixture
def world(db, officer_a, expert, expert_b, staff):
    from reviews.factories import CaseFactory, RoundFactory

    voting_round = RoundFactory(year=2026)
    vote_case = CaseFactory(round=voting_round)
    review_round_, (huangpu, *_rest) = review_round()
    review.assign_default(round=review_round_)
    own = Assignment.objects.get(case=huangpu, expert=expert)
    recused = Assignment.objects.get(case=huangpu, expert=expert_b)
    review.recuse(assignment=recused, user=expert_b, reason="亲属在该单位任职")
    users = {"officer": officer_a, "expert": expert, "recused_expert": expert_b, "staff": staff}
    args = {
        "vote:round": [voting_round.pk],
        "vote:case": [voting_round.pk, vote_case.pk],
        "reviews:votes": [voting_round.pk],
        "reviews:vote_data": [voting_round.pk],
        "reviews:close_vote": [voting_round.pk],
        "reviews:void": [voting_round.pk],
        "reviews:assignments": [review_round_.pk],
        "reviews:upload": [review_round_.pk],
        "reviews:results": [review_round_.pk],
        "reviews:approve": [review_round_.pk],
        "reviews:assignment_action": [review_round_.pk],
        "reviews:print_for": [review_round_.pk, expert.pk],
        "reviews:print_mine": [review_round_.pk],
        "reviews:sheet": [own.pk],
        "reviews:own_recused_sheet": [recused.pk],
        "reviews:recuse": [own.pk],
    }
    return users, args


def _client_for(client, role, users):
    if role == "voter":
        client.cookies[VOTER_COOKIE] = voter_cookie(VoterFactory().pk)
    elif role in users:
        client.force_login(users[role])
    return client


def _check(response, expected):
    if expected == LOGIN:
        assert response.status_code == 302 and "/accounts/login/" in response.url
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(MATRIX))
def test_get(world, client, role, page):
    users, args = world
    name = "reviews:sheet" if page == "reviews:own_recused_sheet" else page
    _client_for(client, role, users)
    response = client.get(reverse(name, args=args.get(page, [])))
    _check(response, MATRIX[page][ROLES.index(role)])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(POST_MATRIX))
def test_post(world, client, role, page):
    users, args = world
    _client_for(client, role, users)
    # Confirmed (core.confirm): the step itself, not its confirmation page.
    data = {"reason": "理由", "confirmed": "yes"}
    response = client.post(reverse(page, args=args.get(page, [])), data)
    _check(response, POST_MATRIX[page][ROLES.index(role)])
