from django.contrib import admin
from import_export import fields, resources
from import_export.admin import ImportExportModelAdmin
from import_export.widgets import ForeignKeyWidget
from simple_history.admin import SimpleHistoryAdmin

from cases.models import (
    Attachment,
    Case,
    CaseTransition,
    District,
    KeyFigure,
    Notification,
    Round,
    Topic,
)


class CaseResource(resources.ModelResource):
    district = fields.Field(
        attribute="district", column_name="district", widget=ForeignKeyWidget(District, "name")
    )

    class Meta:
        model = Case
        fields = (
            "id",
            "round",
            "district",
            "district_needs_review",
            "title",
            "subtitle",
            "summary",
            "sections",
            "status",
            "tier",
            "rank",
            "score",
            "position",
            "contact_name",
            "contact_phone",
        )


class RoundResource(resources.ModelResource):
    class Meta:
        model = Round
        exclude = ("created_at", "updated_at")


class KeyFigureInline(admin.TabularInline):
    model = KeyFigure
    extra = 0


class AttachmentInline(admin.TabularInline):
    # Shown, and deletable, but never uploaded or replaced here: files come in only through
    # cases.submission.attachments.store, which checks their content.
    model = Attachment
    extra = 0
    fields = readonly_fields = (
        "original_name",
        "content_type",
        "size",
        "uploaded_by",
        "uploaded_at",
    )

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(admin.TabularInline):
    model = CaseTransition
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "by", "at", "reason")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Round)
class RoundAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [RoundResource]
    list_display = ("year", "title", "status", "shortlist_size", "trim", "published_at")
    list_filter = ("status",)
    search_fields = ("title",)


@admin.register(Case)
class CaseAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    resource_classes = [CaseResource]
    list_display = ("title", "round", "district", "district_needs_review", "status", "tier", "rank")
    list_filter = ("round", "status", "tier", "district", "district_needs_review")
    search_fields = ("title", "subtitle", "search_text")
    readonly_fields = ("search_text", "vote_count", "created_at", "updated_at")
    inlines = [KeyFigureInline, AttachmentInline, TransitionInline]

    def save_model(self, request, obj, form, change):
        # A district chosen by a person is kept by later imports of the same notice.
        if change and "district" in form.changed_data:
            obj.district_confirmed = obj.district_id is not None
            obj.district_needs_review = obj.district_id is None
        # Likewise a topic: the keyword rules (cases.topics) leave it alone from now on.
        if "topic" in form.changed_data:
            obj.topic_confirmed = obj.topic_id is not None
        super().save_model(request, obj, form, change)


@admin.register(District)
class DistrictAdmin(ImportExportModelAdmin):
    list_display = ("name", "short_name", "code", "order")


@admin.register(Topic)
class TopicAdmin(ImportExportModelAdmin):
    list_display = ("name", "order", "active")
    list_editable = ("order", "active")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("key", "subject", "recipients", "sent_at")
    search_fields = ("key", "subject", "recipients")
    readonly_fields = ("key", "subject", "recipients", "sent_at")
