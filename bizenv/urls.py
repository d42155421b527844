from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from accounts.urls import auth_urlpatterns
from cases.adoption import views as adoption_views
from cases.archive import views as case_views
from publishing import privacy_views
from reviews.vote import captcha as vote_captcha

admin.site.site_header = "上海市各区优化营商环境案例评选 · 管理后台"
admin.site.site_title = "案例评选管理后台"


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page says: send them to the SVG icon (its
    hashed static URL is known only once the app runs, hence not at import)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


urlpatterns = [
    # First: the vote is the busiest request (no other pattern starts with vote/).
    path("vote/", include("reviews.urls_vote")),
    path("", case_views.home, name="home"),
    path("diffusion/", adoption_views.diffusion, name="diffusion"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("privacy/", privacy_views.notice, name="privacy"),
    *auth_urlpatterns,
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("selection/", include("reviews.urls")),
    path("", include("publishing.urls")),
    path("admin/", admin.site.urls),
    # The captcha before a vote code is sent: its images and the refresh (no other use).
    # Refresh and audio count against the minting limit (reviews.vote.captcha).
    path("captcha/refresh/", vote_captcha.refresh, name="captcha-refresh"),
    re_path(r"^captcha/audio/(?P<key>\w+)\.wav$", vote_captcha.audio, name="captcha-audio"),
    path("captcha/", include("captcha.urls")),
]
# MEDIA_ROOT is never served, in any mode: uploads and prepared files go out only through
# views that check who may read them (cases.submission.views.attachment_download and the
# publishing downloads), as attachments.
