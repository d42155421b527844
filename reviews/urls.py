from django.urls import path

from .views import expert, results, staff

app_name = "reviews"
urlpatterns = [
    path("", staff.rounds, name="rounds"),
    path("experts/", staff.experts, name="experts"),
    path("rounds/<int:pk>/votes/", staff.vote_monitor, name="votes"),
    path("rounds/<int:pk>/votes/data/", staff.vote_data, name="vote_data"),
    path("rounds/<int:pk>/votes/void/", staff.void, name="void"),
    path("rounds/<int:pk>/votes/close/", staff.close_vote, name="close_vote"),
    path("rounds/<int:pk>/assignments/", staff.assignments, name="assignments"),
    path("rounds/<int:pk>/assignments/action/", staff.assignment_action, name="assignment_action"),
    path("rounds/<int:pk>/upload/", staff.upload, name="upload"),
    path("rounds/<int:pk>/print/<int:expert_pk>/", staff.print_for, name="print_for"),
    path("rounds/<int:pk>/results/", results.results_page, name="results"),
    path("rounds/<int:pk>/results/approve/", results.approve, name="approve"),
    path("expert/", expert.home, name="expert_home"),
    path("expert/sheets/<int:pk>/", expert.sheet, name="sheet"),
    path("expert/sheets/<int:pk>/recuse/", expert.recuse, name="recuse"),
    path("expert/rounds/<int:pk>/print/", expert.print_mine, name="print_mine"),
]
