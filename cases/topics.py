"""Topics (领域) from keyword rules: each topic lists keywords, one a line (Topic.keywords); a
case whose title and text hold them gets that topic.

The notices the commission publishes name no topic, so imported cases would have none and the
archive's topic filter would find nothing. The rules run when staff change them and when a
notice is imported. A topic a person chose (``Case.topic_confirmed``) is never overwritten.

Deterministic: the topic with most keyword hits wins (every occurrence of every keyword in
the title, subtitle and text counts); on equal hits, the topic listed first (Topic order).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from django.db import transaction

from .archive.signals import archive_changed
from .models import Case, Topic

# Seeded topics' keywords: what the commission's cases of each area talk about (the 2022
# notice's cases read for them). Staff edit them on the 领域规则 page.
DEFAULT_KEYWORDS = {
    "政务服务": [
        "一网通办",
        "政务服务",
        "行政服务中心",
        "一门式",
        "窗口",
        "帮办",
        "一件事",
        "审批",
    ],
    "市场准入": ["市场准入", "商事登记", "确认制", "开办企业", "营业执照", "准营", "一业一证"],
    "法治保障": ["法治", "法院", "法律服务", "执法", "首违不罚", "合规", "仲裁", "调解", "司法"],
    "税费服务": ["税", "缴费", "发票"],
    "人才就业": ["人才", "就业", "招聘", "人力资源", "社保", "职业技能"],
    "企业服务": ["惠企", "助企", "纾困", "融资", "中小企业", "专精特新", "营商服务"],
    "区域协同": ["长三角", "一体化", "跨省", "跨区域", "异地"],
}


def normalise(text: str) -> str:
    """One form for matching: NFKC (full-width letters and digits as ASCII), lower case."""
    return unicodedata.normalize("NFKC", text or "").lower()


def keywords_of(text: str) -> list[str]:
    """The keywords in a textarea's text: one a line, trimmed, blanks and repeats dropped."""
    seen: list[str] = []
    for line in (text or "").splitlines():
        word = normalise(line).strip()
        if word and word not in seen:
            seen.append(word)
    return seen


def rules(topics: Iterable[Topic] | None = None) -> list[tuple[Topic, list[str]]]:
    """The active topics in their order, each with its keywords."""
    if topics is None:
        topics = Topic.objects.filter(active=True).order_by("order", "name")
    return [(t, kw) for t in topics if (kw := keywords_of(t.keywords))]


def best_topic(text: str, topic_rules) -> Topic | None:
    """The topic whose keywords occur most often in ``text``; the earlier topic on a tie;
    None when no keyword occurs."""
    text = normalise(text)
    best, best_hits = None, 0
    for topic, words in topic_rules:
        hits = sum(text.count(word) for word in words)
        if hits > best_hits:  # strictly more: an equal count keeps the earlier topic
            best, best_hits = topic, hits
    return best


def case_text(case: Case) -> str:
    return "\n".join([case.title, case.subtitle, case.body_text])


@transaction.atomic
def apply_topic_rules(cases=None) -> int:
    """Set the topic of every case (or of ``cases``) that no person chose, from the rules;
    returns how many cases changed. A case no rule matches has no topic."""
    topic_rules = rules()
    queryset = Case.objects.all() if cases is None else cases
    changed = 0
    for case in queryset.filter(topic_confirmed=False).only(
        "id", "title", "subtitle", "sections", "topic_id"
    ):
        topic = best_topic(case_text(case), topic_rules)
        topic_id = topic.pk if topic else None
        if topic_id != case.topic_id:
            # update(), not save(): the history and search text stay as they are for a
            # derived label, and no other field is rewritten.
            Case.objects.filter(pk=case.pk, topic_confirmed=False).update(topic_id=topic_id)
            changed += 1
    if changed:
        archive_changed()  # the exports and the related-cases index carry the topic
    return changed


def save_keywords(*, topic: Topic, text: str) -> bool:
    """Store a topic's keywords in their one-a-line form; True when they changed."""
    cleaned = "\n".join(keywords_of(text))
    if cleaned == topic.keywords:
        return False
    topic.keywords = cleaned
    topic.save(update_fields=["keywords"])
    return True
