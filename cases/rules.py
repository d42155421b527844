"""Who may see and do what with rounds and cases: the one place for these rules.

Submission pages follow one convention (cases.submission.views.get_case_or_404): a user who may
not see a case (``cases.view_submission``) gets 404, so nothing tells another district that
the case exists; a user who may see it but not do the action gets 403.
"""

import rules

from accounts.rules import is_commission_staff, is_officer


@rules.predicate
def is_published_case(user, case):
    return case is not None and case.status == "published" and case.round.status == "published"


@rules.predicate
def is_own_district_case(user, case):
    return (
        case is not None
        and user.is_authenticated
        and user.district_id is not None
        and case.district_id == user.district_id
    )


@rules.predicate
def is_editable_state(user, case):
    """Draft or returned for revision, while the round is still taking submissions."""
    return case is not None and case.is_editable_state and case.round.status == "submission"


@rules.predicate
def is_draft(user, case):
    return case is not None and case.status == "draft"


@rules.predicate
def is_submittable_state(user, case):
    # Deadline and quota are checked by cases.workflow with a message, not by a 403.
    return case is not None and case.status in ("draft", "returned")


@rules.predicate
def is_withdrawable_state(user, case):
    from cases.workflow import vote_started

    return (
        case is not None
        and case.status in ("submitted", "returned", "accepted")
        and not vote_started(case.round)
    )


@rules.predicate
def is_awaiting_review(user, case):
    return case is not None and case.status == "submitted"


@rules.predicate
def round_takes_new_cases(user, round_):
    """A round in its submission phase whose closing time has not passed."""
    from django.utils import timezone

    return (
        round_ is not None
        and round_.status == "submission"
        and (round_.submission_closes is None or timezone.now() < round_.submission_closes)
    )


district_officer = is_officer & is_own_district_case

rules.add_perm("cases.view_case", is_published_case | is_commission_staff | district_officer)
rules.add_perm("cases.manage_round", is_commission_staff)
rules.add_perm("cases.assign_district", is_commission_staff)

# Submission (district officers) ------------------------------------------------------------
rules.add_perm("cases.file_cases", is_officer)
rules.add_perm("cases.add_case_to_round", is_officer & round_takes_new_cases)
# Seeing a case on the submission pages (detail, preview, history, attachments).
rules.add_perm("cases.view_submission", is_commission_staff | district_officer)
rules.add_perm("cases.change_case", district_officer & is_editable_state)
rules.add_perm("cases.delete_case", district_officer & is_draft)
rules.add_perm("cases.submit_case", district_officer & is_submittable_state)
rules.add_perm("cases.withdraw_case", district_officer & is_withdrawable_state)
# Asking the commission to return a submitted (locked) case (cases.workflow.request_return).
rules.add_perm("cases.request_return", district_officer & is_awaiting_review)

# Checking in (commission staff) --------------------------------------------------------------
rules.add_perm("cases.review_case", is_commission_staff & is_awaiting_review)


# 互学互鉴 (cases.adoption): an officer manages its own district's records; the district whose
# practice was taken up reads them; staff see all and confirm or return them.
@rules.predicate
def is_own_district_adoption(user, adoption):
    return (
        adoption is not None
        and user.is_authenticated
        and user.district_id is not None
        and adoption.district_id == user.district_id
    )


@rules.predicate
def is_source_district_adoption(user, adoption):
    return (
        adoption is not None
        and user.is_authenticated
        and user.district_id is not None
        and adoption.source.district_id == user.district_id
    )


rules.add_perm("cases.record_adoption", is_officer)
rules.add_perm(
    "cases.view_adoption",
    is_commission_staff | (is_officer & (is_own_district_adoption | is_source_district_adoption)),
)
rules.add_perm("cases.change_adoption", is_officer & is_own_district_adoption)
rules.add_perm("cases.review_adoption", is_commission_staff)
