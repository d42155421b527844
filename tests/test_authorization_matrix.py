"""Every URL of the project, for every role, in every state that matters: who may see and
change what (issue #7).

The list of URLs comes from the resolver, so a page added without an entry in POLICY fails
`test_every_url_has_a_policy`: a new page cannot be forgotten.

A POLICY key is a URL name, optionally followed by ``@state`` when the answer depends on the
state of the object (an officer may edit a draft, not a submitted case) or on the method
(``@post``). Each entry says, for each role, the exact answer:

- an HTTP status (200, 302, 403, 404, 405),
- ``LOGIN``: a redirect to the login page with ``?next=``,
- ``to("url:name", …)``: a redirect to that page (302).

Entries that change data name a ``state`` (a snapshot read from the database) and the roles
whose request ``changes`` it; for every other role the snapshot after the request must equal
the one before: a refused POST changes nothing.

Roles: anonymous; voter (no account: a phone verified for the public vote, the signed cookie
``reviews.vote.identity.VOTER_COOKIE`` exactly as the verify view sets it); officer_a
(嘉定区) and officer_b (浦东新区); expert (assigned to the shortlisted cases); recused_expert
(assigned to the same cases, declared 回避 on the case of district A); staff (the commission,
no admin powers); auditor (审计员: the security audit and nothing else); admin (a superuser of
the commission: what staff reach unless an entry says otherwise, and the admin site).
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from captcha.models import CaptchaStore
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from cases.models import (
    Adoption,
    Attachment,
    Case,
    District,
    KeyFigure,
    NearCopyPair,
    ReturnRequest,
    Round,
    Topic,
)
from publishing import publication
from publishing.models import NoticeDocument, Objection
from reviews import results, review
from reviews.factories import (
    CAPTCHA_PASSED,
    CRITERIA,
    RoundFactory,
    VoterFactory,
    confirmed_submission,
    use_memory_sms,
)
from reviews.models import Assignment, Score, ScoreSheet, Vote, VoteLedger, Voter
from reviews.vote import casting, identity
from tests.conftest import make_user
from tests.factories import approved_round, published_case, published_round

ROLES = [
    "anonymous",
    "voter",
    "officer_a",
    "officer_b",
    "expert",
    "recused_expert",
    "staff",
    "auditor",
    "admin",
]
SIGNED_OUT = ("anonymous", "voter")  # the voter has no account: not signed in
# The helpers below name every role but admin, who gets staff's answer (_superuser_as_staff).
BASE_ROLES = [r for r in ROLES if r != "admin"]
SIGNED_IN = [r for r in BASE_ROLES if r not in SIGNED_OUT]
LOGIN = "login"  # expected: a redirect to the login page
CONFIRMED = {"confirmed": "yes"}  # an irreversible step's confirmed POST (core.confirm)


@dataclass(frozen=True)
class To:
    """Expected: a 302 to this page (URL name and a function of the world giving its args)."""

    name: str
    args: object = None

    def url(self, w):
        return reverse(self.name, args=self.args(w) if self.args else None)


def to(name, args=None):
    return To(name, args)


@dataclass
class Rule:
    args: object = None  # function(world) -> list of URL args
    expect: dict = field(default_factory=dict)  # role -> status code, LOGIN or to(...)
    method: str = "get"
    data: object = None  # a dict, or function(world) -> dict (fresh uploads each time)
    state: object = None  # function(world) -> snapshot of what the request may change
    changes: tuple = ()  # roles whose request changes the snapshot; for the others it must not
    # Known authorization bugs, role -> "BUG: …": that one case is xfail(strict=True); the
    # expectation above stays the correct one.
    bugs: dict = field(default_factory=dict)


# --- Expectation helpers ---------------------------------------------------------------------


def everyone(code=200):
    return {role: code for role in BASE_ROLES}


def only(code=200, *roles, others=403):
    """Signed-out roles go to the login page; ``roles`` get ``code``; other users ``others``."""
    return {
        **{role: LOGIN for role in SIGNED_OUT},
        **{role: others for role in SIGNED_IN},
        **{role: code for role in roles},
    }


def staff_only(code=200):
    return only(code, "staff")


def officers(code=200):
    return only(code, "officer_a", "officer_b")


def experts(code=200):
    return only(code, "expert", "recused_expert")


def district_a(own=200, staff=200):
    """A case of district A on the submission pages: other users learn nothing (404); staff
    see it (but may not change it: 403 on the officer's actions)."""
    return {**only(own, "officer_a", others=404), "staff": staff}


def sheet_of(owner, code=200):
    """An expert's own score sheet: any other expert gets 404 (sealed: no one learns the sheet
    exists), non-experts 403."""
    other = "recused_expert" if owner == "expert" else "expert"
    return {**only(code, owner), other: 404}


def public_vote(voter, others):
    return {**{role: others for role in BASE_ROLES}, "voter": voter}


# --- State snapshots -------------------------------------------------------------------------


def status_of(case_attr):
    return lambda w: (
        Case.objects.filter(pk=getattr(w, case_attr).pk).values_list("status", flat=True).first()
    )


def round_status(round_attr):
    return lambda w: Round.objects.get(pk=getattr(w, round_attr).pk).status


def sheet_state(assignment_attr):
    def snapshot(w):
        assignment = getattr(w, assignment_attr)
        sheet = ScoreSheet.objects.filter(assignment=assignment).first()
        scores = sorted(
            Score.objects.filter(sheet__assignment=assignment).values_list("criterion", "value")
        )
        return (sheet and sheet.status, sheet and sheet.comment, scores)

    return snapshot


def return_requests_of(case_attr):
    return lambda w: sorted(
        ReturnRequest.objects.filter(case=getattr(w, case_attr)).values_list("status", "answer")
    )


def votes_of(case_attr):
    def snapshot(w):
        case = getattr(w, case_attr)
        return (Case.objects.get(pk=case.pk).vote_count, Vote.objects.filter(case=case).count())

    return snapshot


def attachments_of(case_attr):
    return lambda w: sorted(
        Attachment.objects.filter(case=getattr(w, case_attr)).values_list("pk", flat=True)
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTICE_DOCX = b"PK\x03\x04 notice"
EMPTY_FIGURES = {"figures-TOTAL_FORMS": "0", "figures-INITIAL_FORMS": "0"}
SCORES_POST = {"leading": "31", "felt": "21", "replicable": "19", "comment": "改了"}
SUBMISSION_ROUND = lambda w: [w.submission_round.pk]  # noqa: E731


def notice_to_publish(w):
    data = publication.draft_notice(w.ready_round)
    data["notice_date"] = "2021-11-08"
    data["publish"] = "1"
    data.update(CONFIRMED)
    return data


POLICY = {
    # --- Accounts -----------------------------------------------------------------------------
    "home": Rule(expect=everyone()),
    "login": Rule(expect={**everyone(), **{r: 302 for r in SIGNED_IN}}),
    "logout": Rule(method="post", expect=everyone(302)),
    "logout@get": Rule(expect=everyone(405)),
    # A new browser's one-time link past the per-username throttle (accounts.device_links):
    # asked for by anyone; a link that was never sent is gone (410) for everyone.
    "device_link_request": Rule(expect=everyone()),
    "device_link": Rule(args=lambda w: ["not-a-link"], expect=everyone(410)),
    "accounts:home": Rule(
        expect={
            **only(),
            "officer_a": to("cases:my_cases"),
            "officer_b": to("cases:my_cases"),
            "expert": to("reviews:expert_home"),
            "recused_expert": to("reviews:expert_home"),
            "staff": to("publishing:workspace"),
            "auditor": to("accounts:security_audit"),
        }
    ),
    # The business history for staff (and superusers); the security audit for the auditor
    # alone, a superuser's included: administration and audit are separate.
    "accounts:audit": Rule(expect=staff_only()),
    "accounts:own_data": Rule(expect=only(200, *SIGNED_IN)),
    "privacy": Rule(expect=everyone()),
    "accounts:security_audit": Rule(expect={**only(200, "auditor"), "admin": 403}),
    "accounts:security_audit_export": Rule(expect={**only(200, "auditor"), "admin": 403}),
    # The second factor: these sessions have passed it (force_login), so it sends them on.
    "two_factor": Rule(expect=only(to("accounts:home"), *SIGNED_IN)),
    "password_change": Rule(expect=only(200, *SIGNED_IN)),
    # The change is confirmed by a message on the user's own start page.
    "password_change_done": Rule(expect=only(to("accounts:home"), *SIGNED_IN)),
    # --- The public archive -------------------------------------------------------------------
    "cases:archive": Rule(expect=everyone()),
    "diffusion": Rule(expect=everyone()),
    "cases:round": Rule(args=lambda w: [w.published_round.pk], expect=everyone()),
    "cases:round@unpublished": Rule(args=SUBMISSION_ROUND, expect=everyone(404)),
    "cases:detail": Rule(args=lambda w: [w.published_case.pk], expect=everyone()),
    "cases:detail@unpublished": Rule(
        args=lambda w: [w.submitted_a.pk],
        # Strangers, signed in or not, learn nothing: 404, as if the case did not exist.
        expect={**everyone(404), "officer_a": 200, "staff": 200},
    ),
    # --- District officers: filing cases ------------------------------------------------------
    "cases:my_cases": Rule(expect=officers()),
    "cases:submission_create": Rule(args=SUBMISSION_ROUND, expect=officers()),
    "cases:submission_create@post": Rule(
        args=SUBMISSION_ROUND,
        method="post",
        data={"title": "新建的案例", "action": "draft", **EMPTY_FIGURES},
        expect=officers(302),
        state=lambda w: sorted(
            Case.objects.filter(round=w.submission_round).values_list("district__code", "title")
        ),
        changes=("officer_a", "officer_b"),
    ),
    "cases:submission_create@closed": Rule(
        args=lambda w: [w.voting_round.pk], expect=officers(403)
    ),
    "cases:submission_detail": Rule(args=lambda w: [w.draft_a.pk], expect=district_a()),
    "cases:submission_preview": Rule(args=lambda w: [w.draft_a.pk], expect=district_a()),
    "cases:submission_history": Rule(args=lambda w: [w.submitted_a.pk], expect=district_a()),
    "cases:submission_edit": Rule(args=lambda w: [w.draft_a.pk], expect=district_a(staff=403)),
    "cases:submission_edit@submitted": Rule(
        args=lambda w: [w.submitted_a.pk], expect=district_a(403, staff=403)
    ),
    "cases:submission_edit@post": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        data={"title": "被改过的标题", "action": "draft", **EMPTY_FIGURES},
        expect=district_a(302, staff=403),
        state=lambda w: Case.objects.get(pk=w.draft_a.pk).title,
        changes=("officer_a",),
    ),
    "cases:submission_submit": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        data={"confirmed": "yes"},  # as the confirmation page posts it (core.confirm)
        expect=district_a(302, staff=403),
        state=status_of("draft_a"),
        changes=("officer_a",),
    ),
    "cases:submission_submit@unconfirmed": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        expect=district_a(200, staff=403),  # the confirmation page; nothing changes
        state=status_of("draft_a"),
    ),
    "cases:submission_submit@submitted": Rule(
        args=lambda w: [w.submitted_a.pk],
        method="post",
        expect=district_a(403, staff=403),
        state=status_of("submitted_a"),
    ),
    "cases:submission_withdraw": Rule(
        args=lambda w: [w.submitted_a.pk],
        method="post",
        expect=district_a(302, staff=403),
        state=status_of("submitted_a"),
        changes=("officer_a",),
    ),
    "cases:submission_withdraw@voting": Rule(
        args=lambda w: [w.vote_a.pk],
        method="post",
        expect=district_a(403, staff=403),
        state=status_of("vote_a"),
    ),
    "cases:submission_delete": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        data={"confirmed": "yes"},
        expect=district_a(302, staff=403),
        state=status_of("draft_a"),  # None once deleted
        changes=("officer_a",),
    ),
    "cases:submission_delete@unconfirmed": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        expect=district_a(200, staff=403),  # the confirmation page; the draft stays
        state=status_of("draft_a"),
    ),
    "cases:submission_delete@submitted": Rule(
        args=lambda w: [w.submitted_a.pk],
        method="post",
        expect=district_a(403, staff=403),
        state=status_of("submitted_a"),
    ),
    # 申请退回修改: submitted_a already has an open request (build_world), so officer_a's
    # second one is refused with a message; only its district's officer gets that far.
    "cases:submission_return_request": Rule(
        args=lambda w: [w.submitted_a.pk],
        method="post",
        data={"reason": "数据填错，申请退回"},
        expect=district_a(to("cases:submission_detail", lambda w: [w.submitted_a.pk]), staff=403),
        state=return_requests_of("submitted_a"),
    ),
    "cases:submission_return_request@draft": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        data={"reason": "数据填错，申请退回"},
        expect=district_a(403, staff=403),
        state=return_requests_of("draft_a"),
    ),
    "cases:attachment_upload": Rule(
        args=lambda w: [w.draft_a.pk],
        method="post",
        data=lambda w: {"file": SimpleUploadedFile("补充材料.pdf", PDF)},
        expect=district_a(302, staff=403),
        state=attachments_of("draft_a"),
        changes=("officer_a",),
    ),
    "cases:attachment_upload@submitted": Rule(
        args=lambda w: [w.submitted_a.pk],
        method="post",
        data=lambda w: {"file": SimpleUploadedFile("补充材料.pdf", PDF)},
        expect=district_a(403, staff=403),
        state=attachments_of("submitted_a"),
    ),
    "cases:attachment_download": Rule(
        args=lambda w: [w.draft_a.pk, w.attachment_draft.pk], expect=district_a()
    ),
    "cases:attachment_delete": Rule(
        args=lambda w: [w.draft_a.pk, w.attachment_draft.pk],
        method="post",
        data={"confirmed": "yes"},
        expect=district_a(302, staff=403),
        state=attachments_of("draft_a"),
        changes=("officer_a",),
    ),
    "cases:attachment_delete@unconfirmed": Rule(
        args=lambda w: [w.draft_a.pk, w.attachment_draft.pk],
        method="post",
        expect=district_a(200, staff=403),  # the confirmation page; the file stays
        state=attachments_of("draft_a"),
    ),
    "cases:attachment_delete@submitted": Rule(
        args=lambda w: [w.submitted_a.pk, w.attachment_submitted.pk],
        method="post",
        expect=district_a(403, staff=403),
        state=attachments_of("submitted_a"),
    ),
    # --- Commission staff: rounds, dashboard, checking cases in -------------------------------
    # --- 互学互鉴: district B took up A's published practice (w.adoption) ------------------
    "cases:adoptions": Rule(expect=only(200, "officer_a", "officer_b", "staff")),
    "cases:adoption_create": Rule(expect=officers()),
    # A records its own practice, B the same practice twice: both refused on the form.
    "cases:adoption_create@post": Rule(
        method="post",
        data=lambda w: {
            "source": str(w.published_case.pk),
            "description": "借鉴",
            "since": "2023-02-01",
            "stage": "deployed",
        },
        expect=officers(),
        state=lambda w: Adoption.objects.count(),
    ),
    # The adopting district and staff; the source district reads it; others learn nothing.
    "cases:adoption_detail": Rule(
        args=lambda w: [w.adoption.pk],
        expect={**only(200, "officer_a", "officer_b", "staff", others=404)},
    ),
    "cases:adoption_edit": Rule(
        args=lambda w: [w.adoption.pk], expect={**officers(403), "officer_b": 200}
    ),
    "cases:adoption_edit@post": Rule(
        args=lambda w: [w.adoption.pk],
        method="post",
        data=lambda w: {
            "source": str(w.published_case.pk),
            "description": "改过的做法",
            "since": "2023-02-01",
            "stage": "effective",
        },
        expect={**officers(403), "officer_b": 302},
        state=lambda w: Adoption.objects.get(pk=w.adoption.pk).description,
        changes=("officer_b",),
    ),
    "cases:adoption_review": Rule(
        args=lambda w: [w.adoption.pk],
        method="post",
        data={"action": "confirm", "comment": "属实"},
        expect={
            **only(403, "officer_a", "officer_b", others=404),
            "staff": to("cases:adoption_detail", lambda w: [w.adoption.pk]),
        },
        state=lambda w: Adoption.objects.get(pk=w.adoption.pk).status,
        changes=("staff",),
    ),
    "cases:staff_dashboard": Rule(expect=staff_only()),
    "cases:staff_rounds": Rule(expect=staff_only()),
    "cases:staff_topics": Rule(expect=staff_only()),
    "cases:staff_topics@post": Rule(
        method="post",
        data=lambda w: {f"kw-{t.pk}": "关键词" for t in Topic.objects.all()},
        expect=staff_only(to("cases:staff_topics")),
        state=lambda w: sorted(Topic.objects.values_list("keywords", flat=True)),
        changes=("staff",),
    ),
    "cases:staff_round_create": Rule(expect=staff_only()),
    "cases:staff_round_create@post": Rule(
        method="post",
        data={"title": ""},  # invalid: staff see the form again, nobody creates a round
        expect=staff_only(200),
        state=lambda w: Round.objects.count(),
    ),
    "cases:staff_round_edit": Rule(args=SUBMISSION_ROUND, expect=staff_only()),
    "cases:staff_round_status": Rule(
        args=SUBMISSION_ROUND,
        method="post",
        data={"to": Round.Status.DRAFT},
        expect=staff_only(302),
        state=round_status("submission_round"),
        changes=("staff",),
    ),
    "cases:staff_round_status@publicity": Rule(
        # Publishing belongs to publishing:notice (publication.publish_round), which refuses
        # while the notice period runs or an objection is open. The generic phase switch must
        # not be a way around it: refused with a message (302 back), nothing published.
        args=lambda w: [w.publicity_round.pk],
        method="post",
        data={"to": Round.Status.PUBLISHED},
        expect=staff_only(to("cases:staff_dashboard")),
        state=round_status("publicity_round"),
    ),
    "cases:staff_round_status@review": Rule(
        # Approving belongs to reviews:approve (results.approve), which refuses until the
        # review is closed and freezes the results. The phase switch must not skip it.
        args=lambda w: [w.review_round.pk],
        method="post",
        data={"to": Round.Status.APPROVED},
        expect=staff_only(to("cases:staff_dashboard")),
        state=round_status("review_round"),
    ),
    "cases:staff_export": Rule(args=SUBMISSION_ROUND, expect=staff_only()),
    "cases:staff_case": Rule(args=lambda w: [w.submitted_a.pk], expect=staff_only()),
    "cases:staff_case_not_a_copy": Rule(  # no such near-copy pair: refused with a message
        args=lambda w: [w.submitted_a.pk],
        method="post",
        data=lambda w: {"other": w.submitted_a.pk},
        expect=staff_only(to("cases:staff_case", lambda w: [w.submitted_a.pk])),
        state=lambda w: list(NearCopyPair.objects.values_list("pk", "not_a_copy")),
    ),
    "cases:staff_case_district": Rule(  # the case names its district: refused with a message
        args=lambda w: [w.submitted_a.pk],
        method="post",
        data=lambda w: {"district": District.objects.get(code="pudong").pk},
        expect=staff_only(to("cases:staff_case", lambda w: [w.submitted_a.pk])),
        state=lambda w: Case.objects.get(pk=w.submitted_a.pk).district_id,
    ),
    "cases:staff_return_request_decline": Rule(
        args=lambda w: [w.submitted_a.pk],
        method="post",
        data={"reason": "材料已进入受理"},
        expect=staff_only(to("cases:staff_case", lambda w: [w.submitted_a.pk])),
        state=return_requests_of("submitted_a"),
        changes=("staff",),
    ),
    "cases:staff_case_action": Rule(
        args=lambda w: [w.submitted_a.pk, "accept"],
        method="post",
        data=CONFIRMED,
        expect=staff_only(302),
        state=status_of("submitted_a"),
        changes=("staff",),
    ),
    "cases:staff_case_action@return": Rule(
        args=lambda w: [w.submitted_a.pk, "return"],
        method="post",
        data={"reason": "请补充成效数据"},
        expect=staff_only(302),
        state=status_of("submitted_a"),
        changes=("staff",),
    ),
    "cases:staff_case_action@unconfirmed": Rule(  # the confirmation page: nothing changes
        args=lambda w: [w.submitted_a.pk, "accept"],
        method="post",
        expect=staff_only(200),
        state=status_of("submitted_a"),
    ),
    "cases:staff_case_action@reject": Rule(
        args=lambda w: [w.submitted_a.pk, "reject"],
        method="post",
        data={"reason": "不属于优化营商环境范围", **CONFIRMED},
        expect=staff_only(302),
        state=status_of("submitted_a"),
        changes=("staff",),
    ),
    "cases:staff_case_action@draft": Rule(
        args=lambda w: [w.draft_a.pk, "accept"],
        method="post",
        data=CONFIRMED,
        expect=staff_only(403),
        state=status_of("draft_a"),
    ),
    # --- The public vote ----------------------------------------------------------------------
    "vote:index": Rule(expect=everyone(to("vote:round", lambda w: [w.voting_round.pk]))),
    "vote:phone": Rule(expect=everyone()),
    "vote:verify": Rule(expect=everyone(to("vote:phone"))),  # no code requested yet
    "vote:forget": Rule(method="post", expect=everyone(to("vote:index"))),
    "vote:forget@get": Rule(expect=everyone(405)),
    "vote:round": Rule(args=lambda w: [w.voting_round.pk], expect=everyone()),
    # A closed vote's page stays readable (issue #20); a round not yet at the vote has none.
    "vote:round@review": Rule(args=lambda w: [w.review_round.pk], expect=everyone()),
    "vote:round@submission": Rule(args=lambda w: [w.submission_round.pk], expect=everyone(404)),
    "vote:case": Rule(args=lambda w: [w.voting_round.pk, w.vote_a.pk], expect=everyone()),
    "vote:case@other_round": Rule(
        args=lambda w: [w.voting_round.pk, w.submitted_a.pk], expect=everyone(404)
    ),
    "vote:cast": Rule(
        args=lambda w: [w.voting_round.pk, w.vote_a.pk],
        method="post",
        # Only a verified phone votes; everyone else is sent to verify one first.
        expect=public_vote(
            voter=to("vote:round", lambda w: [w.voting_round.pk]), others=to("vote:phone")
        ),
        state=votes_of("vote_a"),
        changes=("voter",),
    ),
    "vote:cast@get": Rule(args=lambda w: [w.voting_round.pk, w.vote_a.pk], expect=everyone(405)),
    # A verified voter's own data (issue #30): only the cookie's voter; deleting it needs the
    # confirmation box and takes the voter away.
    "vote:own_data": Rule(expect=public_vote(voter=200, others=to("vote:phone"))),
    "vote:delete_own_data": Rule(
        method="post",
        data=CONFIRMED,
        expect=public_vote(voter=to("vote:index"), others=to("vote:phone")),
        state=lambda w: Voter.objects.filter(pk=w.voter.pk).exists(),
        changes=("voter",),
    ),
    "vote:delete_own_data@get": Rule(expect=everyone(405)),
    # The captcha of the phone page (django-simple-captcha): its image and its audio (flite,
    # scripts/system-packages.sh) for anyone; the refresh answers the page's script only.
    "favicon": Rule(expect=everyone(301)),
    "captcha-image": Rule(args=lambda w: [w.captcha_key], expect=everyone()),
    "captcha-image-2x": Rule(args=lambda w: [w.captcha_key], expect=everyone()),
    "captcha-audio": Rule(args=lambda w: [w.captcha_key], expect=everyone()),
    "captcha-refresh": Rule(expect=everyone(404)),
    # --- Staff: watching and closing the vote -------------------------------------------------
    "reviews:rounds": Rule(expect=staff_only()),
    "reviews:experts": Rule(expect=staff_only()),
    "reviews:experts@post": Rule(
        method="post",
        data={"username": ""},  # invalid: the form again, no expert created
        expect=staff_only(200),
        state=lambda w: sorted(review.experts().values_list("username", flat=True)),
    ),
    "reviews:votes": Rule(args=lambda w: [w.voting_round.pk], expect=staff_only()),
    "reviews:vote_data": Rule(args=lambda w: [w.voting_round.pk], expect=staff_only()),
    "reviews:export_flags": Rule(args=lambda w: [w.voting_round.pk], expect=staff_only()),
    "reviews:refresh_flags": Rule(
        args=lambda w: [w.voting_round.pk],
        method="post",
        expect=staff_only(302),
        state=lambda w: VoteLedger.objects.filter(
            round=w.voting_round, flags_at__isnull=False
        ).exists(),
        changes=("staff",),
    ),
    "reviews:void": Rule(
        args=lambda w: [w.voting_round.pk],
        method="post",
        data=lambda w: {"vote_ids": [w.old_vote.pk], "reason": "同一地址段集中投票"},
        expect=staff_only(302),
        state=lambda w: (
            Vote.objects.get(pk=w.old_vote.pk).voided,
            Case.objects.get(pk=w.vote_b.pk).vote_count,
        ),
        changes=("staff",),
    ),
    "reviews:revoke_voters": Rule(
        args=lambda w: [w.voting_round.pk],
        method="post",
        data=lambda w: {"voter_ids": [w.old_vote.voter_id], "reason": "同一地址段集中投票"},
        expect=staff_only(302),
        state=lambda w: Voter.objects.get(pk=w.old_vote.voter_id).token_version,
        changes=("staff",),
    ),
    "reviews:close_vote@get": Rule(  # the confirmation page
        args=lambda w: [w.voting_round.pk],
        expect=staff_only(200),
        state=round_status("voting_round"),
    ),
    "reviews:close_vote": Rule(
        args=lambda w: [w.voting_round.pk],
        method="post",
        data=CONFIRMED,
        expect=staff_only(302),
        state=lambda w: (
            Round.objects.get(pk=w.voting_round.pk).status,
            sorted(
                Case.objects.filter(round=w.voting_round, shortlisted=True).values_list(
                    "pk", flat=True
                )
            ),
        ),
        changes=("staff",),
    ),
    # --- Staff: the expert review -------------------------------------------------------------
    "reviews:assignments": Rule(args=lambda w: [w.review_round.pk], expect=staff_only()),
    "reviews:assignment_action": Rule(
        args=lambda w: [w.review_round.pk],
        method="post",
        data=lambda w: {"action": "reopen", "assignment": w.expert_b.pk, "reason": "请复核"},
        expect=staff_only(302),
        state=sheet_state("expert_b"),
        changes=("staff",),
    ),
    "reviews:upload": Rule(args=lambda w: [w.review_round.pk], expect=staff_only()),
    "reviews:upload@post": Rule(
        args=lambda w: [w.review_round.pk],
        method="post",  # no file: the form again with its error
        expect=staff_only(200),
        state=lambda w: sorted(
            Score.objects.filter(sheet__assignment__round=w.review_round).values_list(
                "sheet_id", "criterion", "value"
            )
        ),
    ),
    "reviews:print_for": Rule(
        args=lambda w: [w.review_round.pk, w.users["expert"].pk], expect=staff_only()
    ),
    "reviews:results": Rule(args=lambda w: [w.review_round.pk], expect=staff_only()),  # sealed
    "reviews:results@closed": Rule(args=lambda w: [w.closed_round.pk], expect=staff_only()),
    "reviews:results_export": Rule(args=lambda w: [w.closed_round.pk], expect=staff_only()),
    "reviews:results_export@sealed": Rule(  # no score leaves before the review closes
        args=lambda w: [w.review_round.pk], expect=staff_only(403)
    ),
    "reviews:approve@unconfirmed": Rule(
        args=lambda w: [w.closed_round.pk],
        method="post",
        expect=staff_only(200),
        state=round_status("closed_round"),
    ),
    "reviews:approve": Rule(
        args=lambda w: [w.closed_round.pk],
        method="post",
        data=CONFIRMED,
        expect=staff_only(302),
        state=lambda w: (
            Round.objects.get(pk=w.closed_round.pk).status,
            w.closed_round.results.count(),
        ),
        changes=("staff",),
    ),
    "reviews:approve@sealed": Rule(  # the review is still running: refused with a message
        args=lambda w: [w.review_round.pk],
        method="post",
        data=CONFIRMED,
        expect=staff_only(302),
        state=round_status("review_round"),
    ),
    # --- District officers: feedback on their own cases after publication ---------------------
    "reviews:feedback": Rule(expect=officers()),
    "reviews:feedback_case": Rule(  # a published case of district A, feedback on
        args=lambda w: [w.published_case.pk],
        expect={**only(200, "officer_a"), "officer_b": 404},
    ),
    "reviews:feedback_case@approved": Rule(  # district A's case, not yet published
        args=lambda w: [w.approved_round.cases.get(district__code="jiading").pk],
        expect={**only(403), "officer_a": 404, "officer_b": 404},
    ),
    # --- Experts -------------------------------------------------------------------------------
    "reviews:expert_home": Rule(expect=experts()),
    "reviews:print_mine": Rule(args=lambda w: [w.review_round.pk], expect=experts()),
    # The expert's own draft sheet on the case of district A.
    "reviews:sheet": Rule(args=lambda w: [w.expert_a.pk], expect=sheet_of("expert")),
    # The case's attachments, from the expert's own sheet only.
    "reviews:sheet_attachment": Rule(
        args=lambda w: [w.expert_a.pk, w.attachment_review_a.pk], expect=sheet_of("expert")
    ),
    "reviews:sheet_attachment@other_case": Rule(
        args=lambda w: [w.expert_a.pk, w.attachment_draft.pk], expect=sheet_of("expert", 404)
    ),
    "reviews:sheet@post": Rule(
        args=lambda w: [w.expert_a.pk],
        method="post",
        data={**SCORES_POST, "action": "save"},
        expect=sheet_of("expert", 302),
        state=sheet_state("expert_a"),
        changes=("expert",),
    ),
    "reviews:sheet@submit": Rule(
        args=lambda w: [w.expert_a.pk],
        method="post",
        data=lambda w: confirmed_submission(w.expert_a, SCORES_POST),
        expect=sheet_of("expert", 302),
        state=sheet_state("expert_a"),
        changes=("expert",),
    ),
    # The expert's own submitted (locked) sheet on the case of district B.
    "reviews:sheet@submitted": Rule(args=lambda w: [w.expert_b.pk], expect=sheet_of("expert")),
    "reviews:sheet@submitted_post": Rule(
        args=lambda w: [w.expert_b.pk],
        method="post",
        data={**SCORES_POST, "action": "submit", "confirmed": "yes"},
        expect=sheet_of("expert", 403),
        state=sheet_state("expert_b"),
    ),
    # Another expert's submitted sheet: sealed from the expert (404).
    "reviews:sheet@other": Rule(args=lambda w: [w.recused_b.pk], expect=sheet_of("recused_expert")),
    "reviews:sheet@other_post": Rule(
        args=lambda w: [w.recused_b.pk],
        method="post",
        data={**SCORES_POST, "action": "submit", "confirmed": "yes"},
        expect=sheet_of("recused_expert", 403),  # submitted: locked for its owner too
        state=sheet_state("recused_b"),
    ),
    # The sheet the recused expert declared 回避 on: they may read it, never score it.
    "reviews:sheet@recused": Rule(
        args=lambda w: [w.recused_a.pk], expect=sheet_of("recused_expert")
    ),
    "reviews:sheet@recused_post": Rule(
        args=lambda w: [w.recused_a.pk],
        method="post",
        data={**SCORES_POST, "action": "submit", "confirmed": "yes"},
        expect=sheet_of("recused_expert", 403),
        state=sheet_state("recused_a"),
    ),
    "reviews:recuse": Rule(
        args=lambda w: [w.expert_a.pk],
        method="post",
        data={"reason": "曾参与该案例的咨询"},
        expect=sheet_of("expert", 302),
        state=lambda w: Assignment.objects.get(pk=w.expert_a.pk).recused,
        changes=("expert",),
    ),
    "reviews:recuse@recused": Rule(
        # Already recused: rules.py refuses ``reviews.recuse`` (~is_recused), so 403 like a
        # sheet the expert may not score, and the recorded reason stays.
        args=lambda w: [w.recused_a.pk],
        method="post",
        data={"reason": "再次声明"},
        expect=sheet_of("recused_expert", 403),
        state=lambda w: Assignment.objects.get(pk=w.recused_a.pk).recusal_reason,
    ),
    # --- Staff: publication --------------------------------------------------------------------
    "publishing:rounds": Rule(expect=staff_only()),
    "publishing:round": Rule(args=lambda w: [w.approved_round.pk], expect=staff_only()),
    "publishing:workspace": Rule(expect=staff_only()),
    "publishing:start_publicity@unconfirmed": Rule(
        args=lambda w: [w.approved_round.pk],
        method="post",
        expect=staff_only(200),
        state=round_status("approved_round"),
    ),
    "publishing:start_publicity": Rule(
        args=lambda w: [w.approved_round.pk],
        method="post",
        data=CONFIRMED,
        expect=staff_only(to("publishing:round", lambda w: [w.approved_round.pk])),
        state=round_status("approved_round"),
        changes=("staff",),
    ),
    "publishing:notice": Rule(args=lambda w: [w.approved_round.pk], expect=staff_only()),
    # The notice's Word/PDF as it would be published, before publishing.
    "publishing:notice_preview": Rule(
        args=lambda w: [w.approved_round.pk, "docx"], expect=staff_only()
    ),
    "publishing:end_publicity": Rule(  # the confirmation page, asking for the reason
        args=lambda w: [w.publicity_round.pk], expect=staff_only()
    ),
    "publishing:end_publicity@post": Rule(
        args=lambda w: [w.publicity_round.pk],
        method="post",
        data={"reason": "经请示提前结束", **CONFIRMED},
        expect=staff_only(to("publishing:round", lambda w: [w.publicity_round.pk])),
        state=lambda w: Round.objects.get(pk=w.publicity_round.pk).publicity_ends,
        changes=("staff",),
    ),
    "publishing:notice@publish": Rule(
        args=lambda w: [w.ready_round.pk],
        method="post",
        data=notice_to_publish,
        expect=staff_only(to("publishing:round", lambda w: [w.ready_round.pk])),
        state=lambda w: (
            Round.objects.get(pk=w.ready_round.pk).status,
            Case.objects.published().filter(round=w.ready_round).count(),
        ),
        changes=("staff",),
    ),
    "publishing:unpublish": Rule(
        args=lambda w: [w.published_round.pk],
        method="post",
        data={"reason": "名单有误，撤回更正", "to": Round.Status.PUBLICITY},
        expect=staff_only(to("publishing:round", lambda w: [w.published_round.pk])),
        state=lambda w: (
            Round.objects.get(pk=w.published_round.pk).status,
            Case.objects.get(pk=w.published_case.pk).status,
        ),
        changes=("staff",),
    ),
    "publishing:generate": Rule(
        args=lambda w: [w.published_round.pk],
        method="post",
        expect=staff_only(to("publishing:round", lambda w: [w.published_round.pk])),
        state=lambda w: sorted(w.published_round.notice_documents.values_list("format", "status")),
        changes=("staff",),
    ),
    "publishing:status": Rule(args=lambda w: [w.published_round.pk], expect=staff_only()),
    "publishing:certificates": Rule(args=lambda w: [w.published_round.pk], expect=staff_only()),
    # 公示中: not yet issuable; staff are sent back to the round with the reason.
    "publishing:certificates@publicity": Rule(
        args=lambda w: [w.publicity_round.pk],
        expect=staff_only(to("publishing:round", lambda w: [w.publicity_round.pk])),
    ),
    "publishing:case_certificate": Rule(args=lambda w: [w.published_case.pk], expect=staff_only()),
    "publishing:answer": Rule(
        args=lambda w: [w.objection.pk],
        method="post",
        data={"action": "dismiss", "reason": "经核实，数据准确"},
        expect=staff_only(to("publishing:round", lambda w: [w.publicity_round.pk])),
        state=lambda w: Objection.objects.get(pk=w.objection.pk).status,
        changes=("staff",),
    ),
    # --- The public: notice period, files, statistics, exports, feeds, API ---------------------
    "publishing:publicity": Rule(args=lambda w: [w.publicity_round.pk], expect=everyone()),
    "publishing:publicity@approved": Rule(
        args=lambda w: [w.approved_round.pk], expect=everyone(404)
    ),
    "publishing:publicity@published": Rule(
        args=lambda w: [w.published_round.pk], expect=everyone()
    ),
    "publishing:publicity_case": Rule(
        args=lambda w: [w.publicity_round.pk, w.objected_case.pk], expect=everyone()
    ),
    "publishing:publicity_case@approved": Rule(
        args=lambda w: [w.approved_round.pk, w.approved_round.cases.first().pk],
        expect=everyone(404),
    ),
    "publishing:objection_status": Rule(expect=everyone()),
    "publishing:objection_status@post": Rule(
        method="post", data={"code": "AAAA-BBBB-CCCC"}, expect=everyone(404)
    ),
    "publishing:object": Rule(args=lambda w: [w.publicity_round.pk], expect=everyone()),
    "publishing:object@post": Rule(
        args=lambda w: [w.publicity_round.pk],
        method="post",
        data=lambda w: {
            "case": w.objected_case.pk,
            "name": "王五",
            "contact": "13900000000",
            "grounds": "数据有误",
        },
        expect=everyone(to("publishing:objection_status")),
        state=lambda w: Objection.objects.filter(round=w.publicity_round).count(),
        changes=tuple(ROLES),  # anyone may object during the notice period
    ),
    "publishing:object@approved": Rule(args=lambda w: [w.approved_round.pk], expect=everyone(404)),
    "publishing:download": Rule(args=lambda w: [w.published_round.pk, "docx"], expect=everyone()),
    "publishing:download@unpublished": Rule(
        args=lambda w: [w.approved_round.pk, "docx"], expect=everyone(404)
    ),
    "publishing:statistics": Rule(expect=everyone()),
    "publishing:export_round": Rule(
        args=lambda w: [w.published_round.pk, "csv"], expect=everyone()
    ),
    "publishing:export_round@unpublished": Rule(
        args=lambda w: [w.approved_round.pk, "csv"], expect=everyone(404)
    ),
    "publishing:export_search": Rule(args=lambda w: ["csv"], expect=everyone()),
    "publishing:feed": Rule(expect=everyone()),
    "publishing:feed_atom": Rule(expect=everyone()),
    "publishing:api_index": Rule(expect=everyone()),
    "publishing:api_rounds": Rule(expect=everyone()),
    "publishing:api_cases": Rule(expect=everyone()),
    "publishing:api_adoptions": Rule(expect=everyone()),
    "publishing:api_case": Rule(args=lambda w: [w.published_case.pk], expect=everyone()),
    "publishing:api_case@unpublished": Rule(
        args=lambda w: [w.submitted_a.pk], expect=everyone(404)
    ),
}

# URL names that are not pages of ours, or are checked elsewhere.
NOT_PAGES = {"admin", "django.contrib.staticfiles", "media"}


def _superuser_as_staff(policy):
    """A superuser of the commission gets what staff get (and changes what they change),
    unless an entry names ``admin`` itself."""
    for rule in policy.values():
        rule.expect.setdefault("admin", rule.expect["staff"])
        if "staff" in rule.changes and "admin" not in rule.changes:
            rule.changes = (*rule.changes, "admin")
        if "staff" in rule.bugs:
            rule.bugs.setdefault("admin", rule.bugs["staff"])


_superuser_as_staff(POLICY)

# Strings that must never appear outside the public API/archive for a signed-out visitor.
UNPUBLISHED_TITLE = "嘉定区申报中的案例"


def url_names(patterns=None, namespace=""):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_has_a_policy():
    names = {n for n in url_names() if n.split(":")[0] not in NOT_PAGES}
    covered = {key.split("@")[0] for key in POLICY}
    missing = sorted(names - covered)
    assert not missing, f"URLs without an entry in the authorization matrix: {missing}"
    stale = sorted(covered - names)
    assert not stale, f"Entries for URLs that no longer exist: {stale}"


def test_every_entry_names_every_role():
    for key, rule in POLICY.items():
        assert set(rule.expect) == set(ROLES), key
        assert set(rule.changes) <= set(ROLES), key


# --- The world -------------------------------------------------------------------------------


class World:
    pass


def _complete_case(round_, district, status, title, **extra):
    case = Case.objects.create(
        round=round_,
        district=district,
        title=title,
        subtitle="持续优化政务服务",
        topic=Topic.objects.order_by("order", "pk").first(),
        summary="推行一窗通办，企业开办时间压缩到一天。",
        sections=[
            {"heading": "一、工作背景", "body": "企业反映开办手续多。"},
            {"heading": "二、主要做法", "body": "推行一窗通办。"},
            {"heading": "三、取得成效", "body": "年均办件量83.97万件。"},
        ],
        contact_name="李嘉定",
        contact_phone="021-59991234",
        status=status,
        submitted_at=None if status == Case.Status.DRAFT else timezone.now(),
        **extra,
    )
    KeyFigure.objects.create(case=case, indicator="年均办件量", value="83.97", unit="万件")
    return case


def _attachment(case, user):
    return Attachment.objects.create(
        case=case,
        file=ContentFile(PDF, name="方案.pdf"),
        original_name="方案.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=user,
    )


# Distinctive score values: the sealing tests look for them in the HTML.
EXPERT_B_SCORES = {"leading": "36.75", "felt": "27.25", "replicable": "24.75"}
RECUSED_B_SCORES = {"leading": "33.25", "felt": "23.75", "replicable": "22.25"}
EXPERT_A_DRAFT = {"leading": "35.5"}
SEALED_VALUES = ["36.75", "27.25", "24.75", "33.25", "23.75", "22.25", "35.5"]
# What the sealed values add up to on case B: the two sheets' totals (36.75 + 27.25 + 24.75,
# 33.25 + 23.75 + 22.25) and their mean, written out (84.0 also matches 84.00 and 84.000).
DERIVED_VALUES = ["88.75", "79.25", "84.0"]


def shows_number(html: str, value: str) -> bool:
    """Whether the page shows ``value`` as a number (35.5 or 35.50), not as digits inside
    another number or a time such as 02:53:35.556628 (a history row's timestamp)."""
    return re.search(rf"(?<![\d.:]){re.escape(value)}0*(?!\d)", html) is not None


SEALED_COMMENT = "专家甲对浦东案例的保密评语"


def build_world():
    district_a = District.objects.get(code="jiading")
    district_b = District.objects.get(code="pudong")
    now = timezone.now()
    w = World()
    staff = make_user("staff", role="staff", is_staff=True)
    w.users = {
        "officer_a": make_user(
            "officer_a", role="officer", district=district_a, organisation="嘉定区发改委"
        ),
        "officer_b": make_user(
            "officer_b", role="officer", district=district_b, organisation="浦东新区发改委"
        ),
        "expert": make_user("expert", role="expert", organisation="复旦大学"),
        "recused_expert": make_user("recused", role="expert", organisation="上海交通大学"),
        "staff": staff,
        "auditor": make_user("auditor", role="auditor"),
        "admin": make_user("admin", is_staff=True, is_superuser=True),
    }
    w.voter = VoterFactory(phone="13912345678")

    # A published round with a published case and its notice file.
    w.published_round = published_round(2022, feedback_to_districts=True)
    w.published_case = published_case(
        w.published_round, tier="优秀案例", rank=1, title="已公布的案例", district="嘉定区"
    )
    w.adoption = Adoption.objects.create(
        source=w.published_case,
        district=district_b,
        description="浦东借鉴嘉定的做法",
        since=datetime.date(2023, 1, 1),
        stage=Adoption.Stage.IMPLEMENTED,
    )
    w.notice_docx = NoticeDocument.objects.create(
        round=w.published_round,
        format="docx",
        status=NoticeDocument.Status.DONE,
        progress=100,
        file=ContentFile(NOTICE_DOCX, name="notice.docx"),
    )

    # A round taking submissions: a draft and a submitted case of district A, with attachments.
    w.submission_round = Round.objects.create(
        year=2027,
        title="2027 年度",
        status=Round.Status.SUBMISSION,
        submission_opens=now - datetime.timedelta(days=1),
        submission_closes=now + datetime.timedelta(days=10),
        vote_opens=now + datetime.timedelta(days=20),
        vote_closes=now + datetime.timedelta(days=30),
    )
    w.draft_a = _complete_case(w.submission_round, district_a, Case.Status.DRAFT, "嘉定区的草稿")
    w.submitted_a = _complete_case(
        w.submission_round, district_a, Case.Status.SUBMITTED, UNPUBLISHED_TITLE
    )
    ReturnRequest.objects.create(
        case=w.submitted_a, reason="成效数据填错", requested_by=w.users["officer_a"]
    )
    w.attachment_draft = _attachment(w.draft_a, w.users["officer_a"])
    w.attachment_submitted = _attachment(w.submitted_a, w.users["officer_a"])

    # A round in the public vote: accepted cases of A and B, one vote already cast.
    w.voting_round = RoundFactory(year=2026, status=Round.Status.VOTING)
    w.vote_a = _complete_case(w.voting_round, district_a, Case.Status.ACCEPTED, "投票中的嘉定案例")
    w.vote_b = _complete_case(w.voting_round, district_b, Case.Status.ACCEPTED, "投票中的浦东案例")
    w.captcha_key = CaptchaStore.generate_key()
    w.old_vote = casting.cast_vote(
        round=w.voting_round, case=w.vote_b, voter=VoterFactory(phone="13800000001"), ip="10.0.0.1"
    )

    # A round in expert review: shortlisted cases of A and B, every expert assigned to both;
    # the recused expert declared 回避 on A's case. Sheets: the expert's draft on A and
    # submitted sheet on B; the recused expert's submitted sheet on B.
    w.review_round = RoundFactory(year=2025, status=Round.Status.REVIEW)
    w.review_case_a = _complete_case(
        w.review_round, district_a, Case.Status.ACCEPTED, "评审中的嘉定案例", shortlisted=True
    )
    w.review_case_b = _complete_case(
        w.review_round, district_b, Case.Status.ACCEPTED, "评审中的浦东案例", shortlisted=True
    )
    review.assign_default(round=w.review_round)
    expert, recused_expert = w.users["expert"], w.users["recused_expert"]
    pick = lambda case, user: Assignment.objects.get(case=case, expert=user)  # noqa: E731
    w.expert_a, w.expert_b = pick(w.review_case_a, expert), pick(w.review_case_b, expert)
    w.recused_a, w.recused_b = (
        pick(w.review_case_a, recused_expert),
        pick(w.review_case_b, recused_expert),
    )
    review.recuse(assignment=w.recused_a, user=recused_expert, reason="亲属在该区任职")
    review.save_sheet(assignment=w.expert_a, user=expert, values=EXPERT_A_DRAFT)
    w.attachment_review_a = _attachment(w.review_case_a, w.users["officer_a"])
    review.save_sheet(
        assignment=w.expert_b,
        user=expert,
        values=EXPERT_B_SCORES,
        comment=SEALED_COMMENT,
        submit=True,
    )
    review.save_sheet(
        assignment=w.recused_b, user=recused_expert, values=RECUSED_B_SCORES, submit=True
    )

    # A round whose review is closed (scores unsealed), waiting for approval.
    w.closed_round = RoundFactory(year=2019, status=Round.Status.REVIEW)
    closed_case = _complete_case(
        w.closed_round, district_b, Case.Status.ACCEPTED, "评审结束的浦东案例", shortlisted=True
    )
    for user in (expert, recused_expert):
        review.save_sheet(
            assignment=review.add_assignment(case=closed_case, expert=user),
            user=user,
            values={c["key"]: "20" for c in CRITERIA},
            submit=True,
        )
    review.close_review(round=w.closed_round, user=staff)

    # Publication: an approved round, one in its notice period with an open objection, and one
    # whose notice period is over (ready to publish).
    w.approved_round = approved_round(2024)
    w.publicity_round = approved_round(2023)
    publication.start_publicity(round=w.publicity_round)
    w.objected_case = publication.listed_cases(w.publicity_round).in_notice_order().first()
    w.objection = Objection.objects.create(
        round=w.publicity_round,
        case=w.objected_case,
        name="张三",
        contact="13900000000",
        grounds="数据有误",
    )
    w.ready_round = approved_round(2021)
    publication.start_publicity(round=w.ready_round, now=now - datetime.timedelta(days=30))
    w.files = {
        w.attachment_draft.file.name: PDF,
        w.attachment_submitted.file.name: PDF,
        w.attachment_review_a.file.name: PDF,
        w.notice_docx.file.name: NOTICE_DOCX,
    }
    return w


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module inside a transaction that is rolled back at the
    end (what Django's TestCase.setUpTestData does). Each test runs in a savepoint of it (the
    ``db`` fixture), so whatever a test changes is undone before the next one."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db):
    # Files are not rolled back with the database: put back those a test deleted.
    for name, content in shared_world.files.items():
        if not default_storage.exists(name):
            assert default_storage.save(name, ContentFile(content)) == name
    return shared_world


def sign_in(client, world, role):
    if role == "voter":
        # What the verify view sets once the code matches (reviews.views.public.verify).
        client.cookies[identity.VOTER_COOKIE] = identity.voter_cookie(world.voter.pk)
    elif role != "anonymous":
        client.force_login(world.users[role])
    return client


def check(response, expected, world, context):
    if expected == LOGIN:
        assert response.status_code == 302, (*context, response.status_code)
        assert response.url.startswith(reverse("login") + "?next="), (*context, response.url)
    elif isinstance(expected, To):
        assert response.status_code == 302, (*context, response.status_code)
        # The page itself, whatever its query or anchor (a vote answers at the tapped card).
        page = response.url.split("#")[0].split("?")[0]
        assert page == expected.url(world), (*context, response.url)
    else:
        assert response.status_code == expected, (*context, response.status_code)


def _cases():
    for key, rule in POLICY.items():
        for role in ROLES:
            bug = rule.bugs.get(role)
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(key, role, id=f"{key}-{role}", marks=marks)


@pytest.mark.parametrize("key, role", list(_cases()))
def test_role_can_reach_exactly_what_the_matrix_says(client, world, key, role):
    rule = POLICY[key]
    sign_in(client, world, role)
    url = reverse(key.split("@")[0], args=rule.args(world) if rule.args else None)
    data = rule.data(world) if callable(rule.data) else (rule.data or {})
    before = rule.state(world) if rule.state else None
    response = getattr(client, rule.method)(url, data)
    if response.streaming:
        # Read file downloads to the end: the test client then closes them itself (closing
        # them here would also close the database connection on PostgreSQL).
        b"".join(response.streaming_content)
    check(response, rule.expect[role], world, (key, url, role))
    if rule.state:
        after = rule.state(world)
        if role in rule.changes:
            assert after != before, f"{role} {rule.method.upper()} {url} changed nothing"
        else:
            assert after == before, f"{role} {rule.method.upper()} {url} changed {before}→{after}"


@pytest.mark.parametrize("role", ROLES)
def test_only_the_commissions_staff_reach_the_admin(client, world, role):
    """The admin lets in staff accounts (is_staff), superusers or not: the commission's staff
    user here is not a superuser."""
    sign_in(client, world, role)
    response = client.get("/admin/")
    if role in ("staff", "admin"):
        if role == "staff":
            assert not world.users["staff"].is_superuser
        assert response.status_code == 200
        assert "案例评选管理后台" in response.content.decode()
    else:
        assert response.status_code == 302 and "/admin/login/" in response.url


# --- Sealing ---------------------------------------------------------------------------------


def _html(response):
    assert response.status_code == 200
    return response.content.decode()


def test_an_expert_never_reads_another_experts_sheet(client, world):
    client.force_login(world.users["expert"])
    # Not the sheet: 404, as if it did not exist.
    assert client.get(reverse("reviews:sheet", args=[world.recused_b.pk])).status_code == 404
    # Nor its values through the expert's own sheet of the same case, nor the home page.
    for url in (
        reverse("reviews:sheet", args=[world.expert_b.pk]),
        reverse("reviews:expert_home"),
        reverse("reviews:print_mine", args=[world.review_round.pk]),
    ):
        html = _html(client.get(url))
        for value in RECUSED_B_SCORES.values():
            assert value not in html, (url, value)


def test_staff_see_no_score_before_the_review_closes_and_all_after(client, world):
    client.force_login(world.users["staff"])
    # Each page, and what it lists while the scores are sealed (so it is not an empty page).
    lists = {
        reverse("reviews:results", args=[world.review_round.pk]): "1 / 2",  # sheets submitted
        reverse("reviews:assignments", args=[world.review_round.pk]): "评审中的浦东案例",
        reverse(
            "reviews:print_for", args=[world.review_round.pk, world.users["expert"].pk]
        ): "评审中的浦东案例",
    }
    pages = list(lists)
    for url in pages:
        html = _html(client.get(url))
        assert lists[url] in html, url
        for value in SEALED_VALUES + DERIVED_VALUES:
            assert not shows_number(html, value), (url, value)
        assert SEALED_COMMENT not in html, url

    # The check above is not vacuous: once the review closes the results show the scores.
    review.save_sheet(
        assignment=world.expert_a,
        user=world.users["expert"],
        values={"leading": "35.5", "felt": "20", "replicable": "20"},
        submit=True,
    )
    review.close_review(round=world.review_round, user=world.users["staff"])
    html = _html(client.get(pages[0]))
    # Case B: two sheets, 88.75 and 79.25; the mean shows once the seal is broken.
    expected = (Decimal("88.75") + Decimal("79.25")) / 2
    assert f"{expected:.2f}" in html or f"{expected}" in html
    assert shows_number(html, "84.0")


def test_the_audit_trail_keeps_scores_sealed_while_the_review_runs(client, world):
    client.force_login(world.users["staff"])
    # The trail lists score rows at all: those of a round whose result is approved (every
    # criterion 20 on both sheets of the closed round), and not those of the running review.
    results.approve(round=world.closed_round, user=world.users["staff"])
    for url in (
        reverse("accounts:audit"),
        reverse("accounts:audit") + "?model=reviews.score",
        reverse("accounts:audit") + "?model=reviews.scoresheet",
    ):
        response = client.get(url)
        html = _html(response)
        labels = {e.model_label for e in response.context["entries"]}
        assert labels & {"reviews.score", "reviews.scoresheet"}, url
        for value in SEALED_VALUES + DERIVED_VALUES:
            assert not shows_number(html, value), (url, value)
        assert SEALED_COMMENT not in html, url
    scores = client.get(reverse("accounts:audit") + "?model=reviews.score")
    approved = [e for e in scores.context["entries"] if e.model_label == "reviews.score"]
    assert len(approved) == 2 * len(CRITERIA)  # two sheets of the approved round, no other
    assert scores.content.decode().count("得分 #") == 2 * len(CRITERIA)


# --- The voter role is what the real verify flow produces --------------------------------------


def test_the_verified_voter_is_the_session_the_verify_view_leaves(client, world, settings):
    sender = use_memory_sms(settings)
    phone = world.voter.phone
    response = client.post(reverse("vote:phone"), {"phone": phone, **CAPTCHA_PASSED})
    assert response.status_code == 302
    code = sender.last_code(phone)
    response = client.post(reverse("vote:verify"), {"code": code})
    assert response.status_code == 302
    # The same cookie as sign_in(…, "voter") sets, limited to the vote pages, not for scripts.
    cookie = response.cookies[identity.VOTER_COOKIE]
    assert cookie.value == client.cookies[identity.VOTER_COOKIE].value
    assert (
        signing.get_cookie_signer(salt=identity.VOTER_COOKIE + identity.VOTER_COOKIE_SALT).unsign(
            cookie.value
        )
        == f"{world.voter.pk}.{world.voter.token_version}"
    )
    assert (cookie["path"], cookie["httponly"], cookie["samesite"]) == ("/vote/", True, "Lax")
    cast = reverse("vote:cast", args=[world.voting_round.pk, world.vote_a.pk])
    round_page = reverse("vote:round", args=[world.voting_round.pk])
    assert client.post(cast).url == f"{round_page}#vote-case-{world.vote_a.pk}"
    assert Vote.objects.filter(case=world.vote_a, voter=world.voter).count() == 1
    # Forgetting the phone ends it: the next vote asks for a phone again.
    client.post(reverse("vote:forget"))
    assert client.post(cast).url.startswith(reverse("vote:phone"))


def test_signed_out_visitors_never_see_an_unpublished_title(client, world):
    """The public pages, the feeds and the API list published cases only."""
    for name, args in [
        ("home", None),
        ("cases:archive", None),
        ("publishing:statistics", None),
        ("publishing:export_search", ["csv"]),
        ("publishing:feed", None),
        ("publishing:api_cases", None),
        ("publishing:api_rounds", None),
    ]:
        response = client.get(reverse(name, args=args))
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body, name
        assert UNPUBLISHED_TITLE not in body.decode(), name
