from django import template
from django.utils.html import format_html, format_html_join

from cases.models import Round
from publishing.models import NoticeDocument
from publishing.notice_layout import unjustified_spaces

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


@register.filter
def unjustified(text):
    """A printed line with its spaces beside Chinese characters kept at their width when the
    line is justified (``notice_layout.unjustified_spaces``); the text stays as it is."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html('<span class="gap">{}</span>', piece) if gap else piece,)
            for piece, gap in unjustified_spaces(str(text))
        ),
    )
