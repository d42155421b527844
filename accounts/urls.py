from django.contrib.auth import views as auth_views
from django.urls import path

from . import two_factor_views, views
from .login import LoginView
from .passwords import OwnPasswordChangeForm

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit, name="audit"),
    path("me/", views.own_data, name="own_data"),
    path("security-audit/", views.security_audit_page, name="security_audit"),
    path("security-audit/export/", views.security_audit_export, name="security_audit_export"),
]

# Login, logout and the password change keep Django's own names so that LOGIN_URL, the admin
# and templates find them.
auth_urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    # A new browser's way past the per-username throttle (accounts.device_links).
    path("accounts/login/device/", views.device_link_request, name="device_link_request"),
    path("accounts/login/device/<str:token>/", views.device_link, name="device_link"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(
            form_class=OwnPasswordChangeForm,
            template_name="accounts/password_change_form.html",
        ),
        name="password_change",
    ),
    path("accounts/password/done/", views.password_changed, name="password_change_done"),
    path("accounts/two-factor/", two_factor_views.two_factor_step, name="two_factor"),
]
