from django.urls import path

from cases.adoption import views as adoption_views
from cases.archive import views
from cases.staff import topics as staff_topics
from cases.staff import views as staff_views
from cases.submission import views as submission_views

app_name = "cases"
urlpatterns = [
    path("archive/", views.archive, name="archive"),
    path("rounds/<id:pk>/", views.round_detail, name="round"),
    path("<id:pk>/", views.case_detail, name="detail"),
    # District officers: filing cases.
    path("submission/", submission_views.my_cases, name="my_cases"),
    path(
        "submission/rounds/<id:round_pk>/new/",
        submission_views.case_create,
        name="submission_create",
    ),
    path("submission/<id:pk>/", submission_views.case_detail, name="submission_detail"),
    path("submission/<id:pk>/edit/", submission_views.case_edit, name="submission_edit"),
    path("submission/<id:pk>/preview/", submission_views.case_preview, name="submission_preview"),
    path("submission/<id:pk>/history/", submission_views.case_history, name="submission_history"),
    path("submission/<id:pk>/submit/", submission_views.case_submit, name="submission_submit"),
    path(
        "submission/<id:pk>/withdraw/", submission_views.case_withdraw, name="submission_withdraw"
    ),
    path("submission/<id:pk>/delete/", submission_views.case_delete, name="submission_delete"),
    path(
        "submission/<id:pk>/return-request/",
        submission_views.case_return_request,
        name="submission_return_request",
    ),
    path(
        "submission/<id:pk>/attachments/",
        submission_views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "submission/<id:pk>/attachments/<id:attachment_pk>/",
        submission_views.attachment_download,
        name="attachment_download",
    ),
    path(
        "submission/<id:pk>/attachments/<id:attachment_pk>/delete/",
        submission_views.attachment_delete,
        name="attachment_delete",
    ),
    # Commission staff: rounds, dashboard, checking cases in.
    path("adoptions/", adoption_views.adoption_list, name="adoptions"),
    path("adoptions/new/", adoption_views.adoption_form, name="adoption_create"),
    path("adoptions/<id:pk>/", adoption_views.adoption_detail, name="adoption_detail"),
    path("adoptions/<id:pk>/edit/", adoption_views.adoption_form, name="adoption_edit"),
    path("adoptions/<id:pk>/review/", adoption_views.adoption_review, name="adoption_review"),
    path("staff/", staff_views.staff_dashboard, name="staff_dashboard"),
    path("staff/rounds/", staff_views.round_list, name="staff_rounds"),
    path("staff/topics/", staff_topics.topic_rules, name="staff_topics"),
    path("staff/rounds/new/", staff_views.round_form, name="staff_round_create"),
    path("staff/rounds/<id:pk>/edit/", staff_views.round_form, name="staff_round_edit"),
    path("staff/rounds/<id:pk>/status/", staff_views.round_status, name="staff_round_status"),
    path("staff/rounds/<id:pk>/export.xlsx", staff_views.dashboard_export, name="staff_export"),
    path("staff/cases/<id:pk>/", staff_views.case_review, name="staff_case"),
    path("staff/cases/<id:pk>/district/", staff_views.case_district, name="staff_case_district"),
    path(
        "staff/cases/<id:pk>/return-request/decline/",
        staff_views.return_request_decline,
        name="staff_return_request_decline",
    ),
    path(
        "staff/cases/<id:pk>/not-a-copy/",
        staff_views.case_not_a_copy,
        name="staff_case_not_a_copy",
    ),
    path(
        "staff/cases/<id:pk>/<str:action>/",  # accept, return, reject (404 for anything else)
        staff_views.case_review_action,
        name="staff_case_action",
    ),
]
