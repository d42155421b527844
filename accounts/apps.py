from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("账户")

    def ready(self):
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import post_delete, post_save, pre_save
        from django_otp.plugins.otp_totp.models import TOTPDevice
        from import_export.signals import post_export

        from core.backup import backup_written, restore_finished, restore_starting

        from . import login_throttle, middleware, security
        from .models import User

        user_login_failed.connect(login_throttle.on_login_failed, dispatch_uid="login-throttle")
        user_logged_in.connect(login_throttle.on_logged_in, dispatch_uid="login-device")
        user_logged_in.connect(middleware.on_logged_in, dispatch_uid="idle-stamp")
        # The security audit (accounts.security).
        user_logged_in.connect(security.on_logged_in, dispatch_uid="audit-login")
        user_login_failed.connect(security.on_login_failed, dispatch_uid="audit-login-failed")
        user_logged_out.connect(security.on_logged_out, dispatch_uid="audit-logout")
        user_locked_out.connect(security.on_locked_out, dispatch_uid="audit-lockout")
        pre_save.connect(security.on_user_pre_save, sender=User, dispatch_uid="audit-user-pre")
        post_save.connect(security.on_user_post_save, sender=User, dispatch_uid="audit-user")
        post_delete.connect(security.on_device_deleted, sender=TOTPDevice, dispatch_uid="otp-rm")
        post_export.connect(security.on_admin_export, dispatch_uid="audit-admin-export")
        backup_written.connect(security.on_backup_written, dispatch_uid="audit-backup")
        restore_starting.connect(security.on_restore_starting, dispatch_uid="audit-restore-0")
        restore_finished.connect(security.on_restore_finished, dispatch_uid="audit-restore")
