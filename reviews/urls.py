from django.urls import path

from .views import expert, feedback, results, staff

app_name = "reviews"
urlpatterns = [
    path("", staff.rounds, name="rounds"),
    path("experts/", staff.experts, name="experts"),
    path("rounds/<id:pk>/votes/", staff.vote_monitor, name="votes"),
    path("rounds/<id:pk>/votes/data/", staff.vote_data, name="vote_data"),
    path("rounds/<id:pk>/votes/flags/refresh/", staff.refresh_flags, name="refresh_flags"),
    path("rounds/<id:pk>/votes/flags/export/", staff.export_flags, name="export_flags"),
    path("rounds/<id:pk>/votes/void/", staff.void, name="void"),
    path("rounds/<id:pk>/votes/revoke/", staff.revoke_voters, name="revoke_voters"),
    path("rounds/<id:pk>/votes/close/", staff.close_vote, name="close_vote"),
    path("rounds/<id:pk>/assignments/", staff.assignments, name="assignments"),
    path("rounds/<id:pk>/assignments/action/", staff.assignment_action, name="assignment_action"),
    path("rounds/<id:pk>/upload/", staff.upload, name="upload"),
    path("rounds/<id:pk>/print/<id:expert_pk>/", staff.print_for, name="print_for"),
    path("rounds/<id:pk>/results/", results.results_page, name="results"),
    path("rounds/<id:pk>/results/export/", results.results_export, name="results_export"),
    path("rounds/<id:pk>/results/approve/", results.approve, name="approve"),
    path("feedback/", feedback.feedback_list, name="feedback"),
    path("feedback/<id:pk>/", feedback.feedback_case, name="feedback_case"),
    path("expert/", expert.home, name="expert_home"),
    path("expert/sheets/<id:pk>/", expert.sheet, name="sheet"),
    path("expert/sheets/<id:pk>/recuse/", expert.recuse, name="recuse"),
    path(
        "expert/sheets/<id:pk>/attachments/<id:attachment_pk>/",
        expert.sheet_attachment,
        name="sheet_attachment",
    ),
    path("expert/rounds/<id:pk>/print/", expert.print_mine, name="print_mine"),
]
