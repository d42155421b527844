"""Who may do what in the selection: the one place for these rules.

A voter is not a user: a verified phone lives in a signed cookie (reviews.vote.identity), so
the public vote needs no permission here. Everything else is a permission composed of predicates.
"""

import rules

from accounts.rules import is_commission_staff, is_expert, is_officer


@rules.predicate
def is_assigned_expert(user, assignment):
    return assignment is not None and user.is_authenticated and assignment.expert_id == user.pk


@rules.predicate
def is_recused(user, assignment):
    return assignment is not None and assignment.recused


@rules.predicate
def must_not_score(user, assignment):
    """The expert shares the case's district or organisation, or declared 回避: checked on the
    assignment itself, whatever created it (reviews.conflicts.refusal)."""
    from .conflicts import refusal

    return assignment is not None and refusal(assignment) is not None


@rules.predicate
def is_review_open(user, assignment):
    from .review import is_review_open as open_

    return assignment is not None and open_(assignment.round)


@rules.predicate
def is_review_closed(user, round_):
    from .review import review_closed

    return round_ is not None and review_closed(round_)


@rules.predicate
def is_self(user, other):
    return other is not None and user.is_authenticated and other.pk == user.pk


rules.add_perm("reviews.manage_selection", is_commission_staff)
rules.add_perm("reviews.expert_area", is_expert)
rules.add_perm("reviews.print_sheet", is_commission_staff | (is_expert & is_self))
# Which cases: reviews.feedback.feedback_cases (own district, published, feedback on).
rules.add_perm("reviews.district_feedback", is_officer)

# Sealing rules are tested with ``can`` (rules.test_rule), not ``user.has_perm``: Django's
# ModelBackend grants a superuser every permission, and a superuser must not unseal scores.
SEALING = {
    # Scores are sealed: staff see them only once the review is closed.
    "reviews.view_scores": is_commission_staff & is_review_closed,
    "reviews.view_assignment": is_expert & is_assigned_expert,
    "reviews.score_assignment": (
        is_expert & is_assigned_expert & ~is_recused & ~must_not_score & is_review_open
    ),
    "reviews.recuse": is_expert & is_assigned_expert & ~is_recused & is_review_open,
}
for name, predicate in SEALING.items():
    rules.add_rule(name, predicate)


def can(name, user, obj=None) -> bool:
    return rules.test_rule(name, user, obj)
