"""The open public vote, for the pages that lead to it (the navigation, the home page)."""

from django import template

from ..vote import casting

register = template.Library()


@register.simple_tag(takes_context=True)
def open_votes(context):
    """The rounds whose vote is open now, read once per request (the navigation and the home
    page's card both ask)."""
    request = context.get("request")
    cached = getattr(request, "_open_votes", None)
    if cached is not None:
        return cached
    rounds = [r for r in casting.voting_rounds() if casting.is_vote_open(r)]
    if request is not None:
        request._open_votes = rounds
    return rounds
