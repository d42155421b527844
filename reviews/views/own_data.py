"""A verified voter's own data: what is held, and deleting it while the vote is open."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..vote import identity, own_data
from ..vote.errors import VoteError


def _verify_first(request) -> HttpResponse:
    messages.info(request, _("请先验证手机号，再查看您的投票信息。"))
    return redirect(reverse("vote:phone") + "?next=" + reverse("vote:own_data"))


def page(request: HttpRequest) -> HttpResponse:
    voter = identity.request_voter(request)
    if voter is None:
        return _verify_first(request)
    return render(request, "reviews/vote_own_data.html", {"data": own_data.own_data(voter)})


@require_POST
def delete(request: HttpRequest) -> HttpResponse:
    token = identity.request_voter_token(request)
    if token is None:
        return _verify_first(request)
    if request.POST.get("confirmed") != "yes":
        messages.error(request, _("请勾选“确认删除”后再提交。"))
        return redirect("vote:own_data")
    try:
        done = own_data.delete_own_data(voter_id=token[0], token_version=token[1])
    except VoteError as exc:
        messages.error(request, str(exc))
        return redirect("vote:own_data")
    text = _("已删除您的投票信息：%(n)s 张选票已从计票中撤出，手机号验证已退出。") % {
        "n": done.votes
    }
    if done.phone_kept:
        text += _("您参与过的已结束评选仍在保存期内，手机号将在该轮个人信息最小化时删除。")
    messages.success(request, text)
    response = redirect("vote:index")
    identity.forget_voter(response)
    return response
