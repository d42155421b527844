"""Role predicates, composed by each app's rules.py into permissions."""

import rules


@rules.predicate
def is_commission_staff(user):
    return bool(user and user.is_authenticated and user.is_commission_staff)


@rules.predicate
def is_officer(user):
    return bool(user and user.is_authenticated and user.is_officer)


@rules.predicate
def is_expert(user):
    return bool(user and user.is_authenticated and user.is_expert)


rules.add_perm("accounts.staff_area", is_commission_staff)
rules.add_perm("accounts.view_audit", is_commission_staff)


@rules.predicate
def is_auditor(user):
    return bool(user and user.is_authenticated and user.is_auditor)


# The security audit is the auditor's alone: read with rules.test_rule, so that a superuser's
# has_perm (always true) does not open it (separation of administration and audit).
rules.add_rule("accounts.view_security_audit", is_auditor)
