from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from cases import views as case_views

admin.site.site_header = "上海市各区优化营商环境案例评选 · 管理后台"
admin.site.site_title = "案例评选管理后台"

urlpatterns = [
    # First: the vote is the busiest request (no other pattern starts with vote/).
    path("vote/", include("reviews.urls_vote")),
    path("", case_views.home, name="home"),
    *auth_urlpatterns,
    path("accounts/", include("accounts.urls")),
    path("cases/", include("cases.urls")),
    path("selection/", include("reviews.urls")),
    path("", include("publishing.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
