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
