from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("账户")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import login_throttle

        user_login_failed.connect(login_throttle.on_login_failed, dispatch_uid="login-throttle")
        user_logged_in.connect(login_throttle.on_logged_in, dispatch_uid="login-device")
