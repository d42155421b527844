"""Irreversible steps ask first: one confirmation page, without JavaScript.

A view that does something that cannot be undone (受理, 审定, 开始公示, 印发公布 …) starts with

    if not confirm.is_confirmed(request):
        return confirm.ask(request, confirm.Confirmation(...))

A GET, or a POST without the confirm field, shows what will happen and a POST form that
carries the named fields back with ``confirmed=yes``; only that POST acts. Works with
scripts off and under the CSP (no inline script, no ``window.confirm``).
"""

from dataclasses import dataclass, field

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
CONFIRM_VALUE = "yes"


@dataclass
class Confirmation:
    title: str  # the step, e.g. "结束网络投票"
    consequences: list  # what will happen, one line each
    button: str  # the label of the button that acts
    cancel_url: str  # where 返回 leads, doing nothing
    subject: str = ""  # what the step acts on (a round, a case)
    warnings: list = field(default_factory=list)  # why it may fail or should wait
    carry: tuple = ()  # POST fields to send back with the confirmation
    # A step that needs a reason (不予受理, 提前结束公示) asks for it on this page too, so that
    # a plain GET of the step's URL can be completed: the label of that field, posted as
    # ``reason`` (prefilled with what was posted).
    reason_label: str = ""
    # Fields the page adds of its own (name, value), e.g. a digest of what it listed.
    hidden: tuple = ()


def is_confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def ask(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    """The confirmation page for ``confirmation``, posting back to the same URL."""
    carried, reason = [], ""
    if request.method == "POST":
        for name in confirmation.carry:
            values = request.POST.getlist(name)
            if name == "reason" and confirmation.reason_label:
                reason = values[-1] if values else ""
                continue
            carried.extend((name, value) for value in values)
    carried.extend(confirmation.hidden)
    context = {
        "confirmation": confirmation,
        "carried": carried,
        "reason": reason,
        "action": request.path,
        "confirm_field": CONFIRM_FIELD,
        "confirm_value": CONFIRM_VALUE,
    }
    return render(request, "core/confirm.html", context)
