"""A published round has two titles and each has its place (README, "Titles"): lists, the home
page, the feeds and the API name the round by its title (上海市2022年度…); the notice's own title
(关于印发…的通知) heads the notice and its files."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db
ROUND_TITLE = "上海市2022年度各区优化营商环境优秀案例和良好实践"
NOTICE_TITLE = "关于印发上海市2022年度各区优化营商环境优秀案例和良好实践的通知"


@pytest.fixture
def round_():
    round_ = published_round(
        title=ROUND_TITLE, notice_title=NOTICE_TITLE, published_at=timezone.now()
    )
    published_case(round_, tier="优秀案例", rank=1, title="一网通办")
    return round_


def test_lists_the_home_page_feeds_and_the_api_use_the_rounds_title(client, round_):
    home = client.get("/").content.decode()
    assert f">{ROUND_TITLE}</h1>" in home and NOTICE_TITLE not in home
    archive = client.get(reverse("cases:archive")).content.decode()
    assert f">{ROUND_TITLE}</a>" in archive and NOTICE_TITLE not in archive
    for feed in ("publishing:feed", "publishing:feed_atom"):
        body = client.get(reverse(feed)).content.decode()
        assert f"<title>{ROUND_TITLE}</title>" in body and NOTICE_TITLE not in body
    [listed] = client.get(reverse("publishing:api_rounds")).json()["results"]
    assert (listed["title"], listed["notice_title"]) == (ROUND_TITLE, NOTICE_TITLE)


def test_the_notice_is_headed_by_its_own_title(client, round_):
    page = client.get(round_.get_absolute_url()).content.decode()
    assert f">{NOTICE_TITLE}</h1>" in page
