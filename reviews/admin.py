"""Admin for the selection. It must not undo the sealing: score values and comments stay
hidden until the round's review is closed, and approved Result rows are read-only."""

from django.contrib import admin
from import_export.admin import ExportMixin, ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, Result, RoundSelection, Score, ScoreSheet, Vote, Voter
from .review import review_closed


@admin.register(Voter)
class VoterAdmin(admin.ModelAdmin):
    list_display = ("masked_phone", "verified_at", "created_at")
    search_fields = ("phone",)


@admin.register(Vote)
class VoteAdmin(ExportMixin, SimpleHistoryAdmin):
    # Votes are cast by voters and voided on the staff vote page (which keeps Case.vote_count
    # in step), never added or edited here.
    list_display = ("case", "voter", "ip_block", "created_at", "voided")
    list_filter = ("round", "voided")
    raw_id_fields = ("case", "voter")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(ImportExportModelAdmin):
    list_display = ("case", "expert", "recused")
    list_filter = ("round", "recused")


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False
    readonly_fields = ("criterion", "value")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SimpleHistoryAdmin):
    list_display = ("assignment", "status", "submitted_at")
    list_filter = ("status",)
    readonly_fields = ("assignment", "status", "submitted_at", "comment")

    def _sealed(self, obj):
        return obj is None or not review_closed(obj.assignment.round)

    def get_inlines(self, request, obj):
        return [] if self._sealed(obj) else [ScoreInline]

    def get_fields(self, request, obj=None):
        fields = ["assignment", "status", "submitted_at"]
        return fields if self._sealed(obj) else [*fields, "comment"]

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if self._sealed(obj):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Result)
class ResultAdmin(ExportMixin, SimpleHistoryAdmin):
    list_display = ("case", "round", "score", "overall_rank", "tier", "rank", "approved_at")
    list_filter = ("round", "tier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoundSelection)
class RoundSelectionAdmin(SimpleHistoryAdmin):
    list_display = ("round", "vote_closed_at", "review_closed_at", "approved_at", "approved_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
