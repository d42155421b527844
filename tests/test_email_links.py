"""Every e-mail the product sends links to SITE_URL (issue #19): the case status mail and the
publication mail carry absolute links built from the setting, never a relative path or the
developer's address."""

import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases import notifications, workflow
from cases.models import Case, Round
from publishing import publication
from tests.factories import approved_round
from tests.submission.conftest import make_case


def links(message):
    return re.findall(r"https?://\S+", message.body)


def test_a_status_mail_links_to_the_case_on_site_url(settings, district_a, staff, officer_a):
    settings.SITE_URL = "https://cases.example.cn/"  # a trailing slash is not doubled
    officer_a.email = "jiading@example.cn"
    officer_a.save()
    open_round = Round.objects.create(year=2027, title="2027 年度评选", status="submission")
    case = make_case(open_round, district_a, Case.Status.SUBMITTED)
    case_url = reverse("cases:submission_detail", args=[case.pk])
    workflow.accept(case=case, user=staff)
    transition = case.transitions.latest("pk")
    assert notifications.send_transition_notice(transition.pk)
    assert links(mail.outbox[-1]) == [f"https://cases.example.cn{case_url}"]


def test_the_publication_mail_links_to_the_round_on_site_url(settings, staff, officer_a, db):
    settings.SITE_URL = "https://cases.example.cn"
    officer_a.email = "jiading@example.cn"
    officer_a.save()
    round_ = approved_round()
    publication.start_publicity(round=round_)
    round_.refresh_from_db()
    round_.publicity_ends = timezone.now()
    round_.save(update_fields=["publicity_ends"])
    publication.publish_round(round=round_, user=staff, notice={"notice_preamble": "正文"})
    mail.outbox.clear()
    assert notifications.send_publication_notice(round_.pk) >= 1
    assert mail.outbox
    for message in mail.outbox:
        assert links(message) == [
            f"https://cases.example.cn{reverse('cases:round', args=[round_.pk])}"
        ]
