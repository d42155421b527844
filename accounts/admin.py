from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ImportExportModelAdmin

from .login import ThrottledAdminAuthenticationForm
from .models import User
from .passwords import StaffSetPasswordForm, StaffUserCreationForm

# The admin's login door is behind the same per-username limit as the site's.
admin.site.login_form = ThrottledAdminAuthenticationForm

# Never exported, never imported: credentials and admin powers are set by a person in the
# user's own admin form (password reset, flags), not by a spreadsheet.
SECRET_FIELDS = ("password",)
POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


class UserResource(resources.ModelResource):
    """Export: who the users are, their role and flags, no password hash. Import: names,
    e-mail, role, district, organisation, phone and whether active; a new user gets no usable
    password (they set one through a reset)."""

    class Meta:
        model = User
        exclude = SECRET_FIELDS
        skip_unchanged = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in (*POWER_FIELDS, "last_login", "date_joined", "must_change_password"):
            if name in self.fields:
                self.fields[name].readonly = True

    def before_save_instance(self, instance, row, **kwargs):
        if instance.pk is None:
            instance.set_unusable_password()


@admin.register(User)
class UserAdmin(ImportExportModelAdmin, BaseUserAdmin):
    resource_classes = [UserResource]
    # Passwords set here pass AUTH_PASSWORD_VALIDATORS and must be changed at the next login.
    add_form = StaffUserCreationForm
    change_password_form = StaffSetPasswordForm
    list_display = ("username", "get_full_name", "role", "district", "organisation", "is_active")
    list_filter = ("role", "district", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("评选角色"), {"fields": ("role", "district", "organisation", "phone")}),
        (_("密码"), {"fields": ("must_change_password",)}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("评选角色"), {"fields": ("role", "district", "organisation", "phone")}),
    )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        changed = request.method == "POST" and response.status_code == 302
        if changed and response.url != request.get_full_path() and str(request.user.pk) == id:
            # Their own password, set in the admin: nobody else knows it.
            User.objects.filter(pk=request.user.pk).update(must_change_password=False)
        return response


# django-otp's own admin for authenticators adds ``<int:pk>/config/`` and ``<int:pk>/qrcode/``:
# pages that show a device's secret (anyone who reads it holds the staff member's second
# factor) behind an ``<int:…>`` that a number past 64 bits turns into a 500. Here a superuser
# sees and removes devices (removal is recorded, accounts.security), never their secrets.
def _register_authenticator_admin():
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice

    class AuthenticatorAdmin(TOTPDeviceAdmin):
        readonly_fields = ["created_at", "last_used_at"]

        def get_urls(self):
            return admin.ModelAdmin.get_urls(self)

        def get_fieldsets(self, request, obj=None):
            return [
                (None, {"fields": ["user", "name", "confirmed"]}),
                (_("使用记录"), {"fields": ["created_at", "last_used_at"]}),
            ]

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)
    admin.site.register(TOTPDevice, AuthenticatorAdmin)


_register_authenticator_admin()
