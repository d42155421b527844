from django.urls import path, re_path

from . import staff_views, submission_views, views

app_name = "cases"
urlpatterns = [
    path("archive/", views.archive, name="archive"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/", views.case_detail, name="detail"),
    # District officers: filing cases.
    path("submission/", submission_views.my_cases, name="my_cases"),
    path(
        "submission/rounds/<int:round_pk>/new/",
        submission_views.case_create,
        name="submission_create",
    ),
    path("submission/<int:pk>/", submission_views.case_detail, name="submission_detail"),
    path("submission/<int:pk>/edit/", submission_views.case_edit, name="submission_edit"),
    path("submission/<int:pk>/preview/", submission_views.case_preview, name="submission_preview"),
    path("submission/<int:pk>/history/", submission_views.case_history, name="submission_history"),
    path("submission/<int:pk>/submit/", submission_views.case_submit, name="submission_submit"),
    path(
        "submission/<int:pk>/withdraw/", submission_views.case_withdraw, name="submission_withdraw"
    ),
    path("submission/<int:pk>/delete/", submission_views.case_delete, name="submission_delete"),
    path(
        "submission/<int:pk>/attachments/",
        submission_views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "submission/<int:pk>/attachments/<int:attachment_pk>/",
        submission_views.attachment_download,
        name="attachment_download",
    ),
    path(
        "submission/<int:pk>/attachments/<int:attachment_pk>/delete/",
        submission_views.attachment_delete,
        name="attachment_delete",
    ),
    # Commission staff: rounds, dashboard, checking cases in.
    path("staff/", staff_views.staff_dashboard, name="staff_dashboard"),
    path("staff/rounds/", staff_views.round_list, name="staff_rounds"),
    path("staff/rounds/new/", staff_views.round_form, name="staff_round_create"),
    path("staff/rounds/<int:pk>/edit/", staff_views.round_form, name="staff_round_edit"),
    path("staff/rounds/<int:pk>/status/", staff_views.round_status, name="staff_round_status"),
    path("staff/rounds/<int:pk>/export.xlsx", staff_views.dashboard_export, name="staff_export"),
    path("staff/cases/<int:pk>/", staff_views.case_review, name="staff_case"),
    re_path(
        r"^staff/cases/(?P<pk>\d+)/(?P<action>accept|return|reject)/$",
        staff_views.case_review_action,
        name="staff_case_action",
    ),
]
