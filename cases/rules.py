"""Who may see and do what with rounds and cases: the one place for these rules."""

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


rules.add_perm(
    "cases.view_case", is_published_case | is_commission_staff | (is_officer & is_own_district_case)
)
rules.add_perm("cases.manage_round", is_commission_staff)
rules.add_perm("cases.assign_district", is_commission_staff)
