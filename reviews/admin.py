from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Assignment, Result, Score, ScoreSheet, Vote, Voter


@admin.register(Voter)
class VoterAdmin(admin.ModelAdmin):
    list_display = ("masked_phone", "verified_at", "created_at")
    search_fields = ("phone",)


@admin.register(Vote)
class VoteAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    list_display = ("case", "voter", "ip_block", "created_at", "voided")
    list_filter = ("round", "voided")
    raw_id_fields = ("case", "voter")


@admin.register(Assignment)
class AssignmentAdmin(ImportExportModelAdmin):
    list_display = ("case", "expert", "recused")
    list_filter = ("round", "recused")


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SimpleHistoryAdmin):
    list_display = ("assignment", "status", "submitted_at")
    list_filter = ("status",)
    inlines = [ScoreInline]


@admin.register(Result)
class ResultAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    list_display = ("case", "round", "score", "overall_rank", "tier", "rank", "approved_at")
    list_filter = ("round", "tier")
