"""RSS and Atom feeds of newly published rounds."""

from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from cases.models import Round


class PublishedRoundsFeed(Feed):
    title = _("上海市各区优化营商环境优秀案例 · 新公布")
    link = reverse_lazy("cases:archive")
    description = _("上海市发展和改革委员会新印发公布的各区优化营商环境优秀案例名单。")
    language = "zh-cn"

    def items(self):
        return Round.objects.filter(status=Round.Status.PUBLISHED).order_by("-published_at", "-id")[
            :20
        ]

    def item_title(self, item):
        return item.notice_title or item.title

    def item_description(self, item):
        counts = {}
        for tier in item.cases.published().values_list("tier", flat=True):
            counts[tier] = counts.get(tier, 0) + 1
        listed = "、".join(f"{name}{n}个" for name, n in counts.items())
        first = next((p for p in item.notice_preamble.splitlines() if p.strip()), "")
        return f"{listed}。{first}" if listed else first

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class PublishedRoundsAtomFeed(PublishedRoundsFeed):
    feed_type = Atom1Feed
    subtitle = PublishedRoundsFeed.description
