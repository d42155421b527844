"""The two login doors, the site's and the admin's, both behind accounts.login_throttle."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from . import login_throttle

THROTTLED = "throttled"


class ThrottledLoginMixin:
    def clean(self):
        username = self.cleaned_data.get("username")
        # Before the password is checked: a refused attempt counts nowhere (axes included).
        wait = login_throttle.seconds_to_wait(self.request, username)
        if wait:
            raise ValidationError(
                _(
                    "该账号近期在多处登录失败次数过多，为保护账号安全，请 %(seconds)s 秒后再试；"
                    "或通过“在新设备上登录”向账号邮箱获取确认链接。"
                    "如非本人操作，请联系市发改委管理员。"
                ),
                code=THROTTLED,
                params={"seconds": wait},
            )
        return super().clean()


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, THROTTLED):
            response.status_code = 429
        return response
