"""The 领域规则 page: staff edit each topic's keywords; the rules then run over the cases."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import topics
from cases.models import Case, Topic

MAX_KEYWORDS_CHARS = 2000  # a topic's keyword list, with room to spare


class KeywordsForm(forms.Form):
    """One textarea per topic, named ``kw-<id>``."""

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = topics
        for topic in topics:
            self.fields[f"kw-{topic.pk}"] = forms.CharField(
                label=topic.name,
                required=False,
                max_length=MAX_KEYWORDS_CHARS,
                initial=topic.keywords,
                widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
            )

    def rows(self):
        return [(topic, self[f"kw-{topic.pk}"]) for topic in self.topics]


@login_required
@require_http_methods(["GET", "POST"])
def topic_rules(request):
    if not request.user.has_perm("cases.manage_round"):
        raise PermissionDenied
    all_topics = list(Topic.objects.order_by("order", "name"))
    form = KeywordsForm(request.POST if request.method == "POST" else None, topics=all_topics)
    if request.method == "POST" and form.is_valid():
        edited = [
            topic
            for topic in all_topics
            if topics.save_keywords(topic=topic, text=form.cleaned_data[f"kw-{topic.pk}"])
        ]
        changed = topics.apply_topic_rules()
        messages.success(
            request,
            _("已保存 %(edited)s 个领域的关键词；按规则更新了 %(changed)s 个案例的领域。")
            % {"edited": len(edited), "changed": changed},
        )
        return redirect("cases:staff_topics")
    counts = dict(
        Case.objects.values("topic").order_by().annotate(n=Count("id")).values_list("topic", "n")
    )
    for topic in all_topics:
        topic.case_count = counts.get(topic.pk, 0)
    context = {
        "form": form,
        "untagged": counts.get(None, 0),
        "confirmed": Case.objects.filter(topic_confirmed=True).count(),
    }
    return render(request, "cases/staff/topics.html", context)
