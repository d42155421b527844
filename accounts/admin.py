from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from .models import User


@admin.register(User)
class UserAdmin(ImportExportModelAdmin, BaseUserAdmin):
    list_display = ("username", "get_full_name", "role", "district", "organisation", "is_active")
    list_filter = ("role", "district", "is_active")
    fieldsets = BaseUserAdmin.fieldsets + (
        (_("评选角色"), {"fields": ("role", "district", "organisation", "phone")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("评选角色"), {"fields": ("role", "district", "organisation", "phone")}),
    )
