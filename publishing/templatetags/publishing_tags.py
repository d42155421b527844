from django import template

from cases.models import Round
from publishing.models import NoticeDocument

register = template.Library()


@register.inclusion_tag("publishing/_downloads.html")
def notice_downloads(round_):
    """Links to a published round's notice files that are ready."""
    documents = []
    if round_ is not None and round_.status == Round.Status.PUBLISHED:
        documents = [
            d for d in NoticeDocument.objects.filter(round=round_, status="done") if d.is_done
        ]
    return {"round": round_, "documents": documents}


@register.inclusion_tag("publishing/_publicity_banner.html")
def publicity_banner():
    """The rounds whose draft list is shown for objections now."""
    return {"rounds": Round.objects.filter(status=Round.Status.PUBLICITY).order_by("-year")}
