"""Admin for the selection. It must not undo the sealing: score values and comments stay
hidden until the round's review is closed (no lookup, search, filter, ordering, history or
export on them: reviews.admin_seal), a submitted sheet and its assignment are neither edited
nor deleted until then, and approved Result rows are read-only."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.admin import ExportMixin, ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from cases.admin import CaseAdmin, RoundAdmin
from cases.models import Case, Round
from core.identifiers import IdentifierError, normalise_phone

from . import sealing
from .admin_seal import SealedAdminMixin
from .models import Assignment, Result, RoundSelection, Score, ScoreSheet, Vote, Voter
from .review import check_assignment, review_closed


@admin.register(Voter)
class VoterAdmin(SealedAdminMixin, admin.ModelAdmin):
    # Phones are shown masked here too; whole numbers only on the vote monitor's fraud review.
    # Voters are made by proving a phone, never here; staff revoke them on the vote monitor.
    list_display = ("phone_masked", "verified_at", "token_version", "created_at")
    fields = readonly_fields = ("phone_masked", "verified_at", "token_version", "created_at")
    search_fields = ("phone",)

    @admin.display(description=_("手机号"))
    def phone_masked(self, obj):
        return obj.masked_phone

    def get_search_results(self, request, queryset, search_term):
        # A phone typed in any digits finds its voter (stored as 11 ASCII digits).
        try:
            search_term = normalise_phone(search_term)
        except IdentifierError:
            pass
        return super().get_search_results(request, queryset, search_term)

    def has_add_permission(self, request):
        return False


@admin.register(Vote)
class VoteAdmin(SealedAdminMixin, ExportMixin, SimpleHistoryAdmin):
    # Votes are cast by voters and voided on the staff vote page (which keeps Case.vote_count
    # in step), never added or edited here.
    list_display = ("case", "voter", "ip_block", "created_at", "voided")
    list_filter = ("round", "voided")
    raw_id_fields = ("case", "voter")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AssignmentResource(resources.ModelResource):
    """Export: who is assigned what, with 回避 (never a score). Import: new assignments only,
    each validated by the assignment page's rules (reviews.review.check_assignment); 回避 and
    the time are exported, never imported."""

    class Meta:
        model = Assignment
        fields = ("id", "round", "case", "expert", "recused", "recusal_reason", "created_at")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for name in ("recused", "recusal_reason", "created_at"):
            self.fields[name].readonly = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        try:
            check_assignment(instance)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        super().validate_instance(instance, errors, validate_unique)


class AssignmentForm(forms.ModelForm):
    """The admin's add form: the assignment page's rules (reviews.review.check_assignment)."""

    class Meta:
        model = Assignment
        fields = ["case", "expert"]

    def _post_clean(self):
        super()._post_clean()
        try:
            check_assignment(self.instance)
        except ValidationError as error:
            self.add_error(None, error)


@admin.register(Assignment)
class AssignmentAdmin(SealedAdminMixin, ImportExportModelAdmin):
    # Made here or imported as on the assignment page (check_assignment), never edited; removed
    # as there too: not once the expert has submitted, until the review closes.
    resource_classes = [AssignmentResource]
    form = AssignmentForm
    list_display = ("case", "expert", "recused")
    list_filter = ("round", "recused")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["case", "expert"]
        return ["round", "case", "expert", "recused", "recusal_reason", "created_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and sealing.locked_sheets(assignments=[obj]).exists():
            return False
        return super().has_delete_permission(request, obj)


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False
    readonly_fields = ("criterion", "value")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SealedAdminMixin, SimpleHistoryAdmin):
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

    def has_view_history_or_change_history_permission(self, request, obj=None):
        # Both history pages (the list shows each change's fields, a version shows them all).
        if self._sealed(obj):
            return False
        return super().has_view_history_or_change_history_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is not None and sealing.locked_sheets(sheets=[obj]).exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Result)
class ResultAdmin(SealedAdminMixin, ExportMixin, SimpleHistoryAdmin):
    list_display = ("case", "round", "score", "overall_rank", "tier", "rank", "approved_at")
    list_filter = ("round", "tier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoundSelection)
class RoundSelectionAdmin(SealedAdminMixin, SimpleHistoryAdmin):
    list_display = ("round", "vote_closed_at", "review_closed_at", "approved_at", "approved_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Deleting a case or a round cascades to its assignments and sheets. cases/admin.py cannot
# import the seal (cases come before reviews), so their admins get it here: the delete page
# lists a submitted sheet of a running review as protected and refuses.
admin.site.unregister(Case)
admin.site.unregister(Round)


@admin.register(Case)
class SealedCaseAdmin(SealedAdminMixin, CaseAdmin):
    pass


@admin.register(Round)
class SealedRoundAdmin(SealedAdminMixin, RoundAdmin):
    pass
