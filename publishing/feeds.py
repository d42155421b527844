"""RSS and Atom feeds of newly published rounds."""

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import F
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from cases.models import Round


class PublishedRoundsFeed(Feed):
    title = _("上海市各区优化营商环境优秀案例 · 新公布")
    link = reverse_lazy("cases:archive")
    description = _("上海市发展和改革委员会新印发公布的各区优化营商环境优秀案例名单。")
    language = "zh-cn"

    def items(self):
        rounds = Round.objects.filter(status=Round.Status.PUBLISHED)
        return rounds.order_by(F("notice_date").desc(nulls_first=True), "-published_at", "-id")[:20]

    def item_title(self, item):
        # Lists, the home page and feeds name a round by its title; the notice's own title
        # ("关于印发…的通知") is on the notice and its files (README, "Titles").
        return item.title

    def item_description(self, item):
        counts = {}
        for tier in item.cases.published().values_list("tier", flat=True):
            counts[tier] = counts.get(tier, 0) + 1
        listed = "、".join(f"{name}{n}个" for name, n in counts.items())
        first = next((p for p in item.notice_preamble.splitlines() if p.strip()), "")
        return f"{listed}。{first}" if listed else first

    def item_pubdate(self, item):
        """The date the notice bears (2022年11月8日 for the 2022 list), not the day it was
        imported or the round saved; the moment of publication when it bears none."""
        if item.notice_date:
            midnight = datetime.datetime.combine(item.notice_date, datetime.time())
            return timezone.make_aware(midnight)
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at


class PublishedRoundsAtomFeed(PublishedRoundsFeed):
    feed_type = Atom1Feed
    subtitle = PublishedRoundsFeed.description
