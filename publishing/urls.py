from django.urls import path

from . import api, certificate_views, feeds, notice_views, public_views, staff_views, views

app_name = "publishing"
urlpatterns = [
    # Staff: the workspace (every round and its next step), then the publication steps.
    path("workspace/", staff_views.workspace_page, name="workspace"),
    path("publishing/", views.round_list, name="rounds"),
    path("publishing/rounds/<id:pk>/", views.round_detail, name="round"),
    path("publishing/rounds/<id:pk>/publicity/", views.start_publicity, name="start_publicity"),
    path(
        "publishing/rounds/<id:pk>/publicity/end/",
        staff_views.end_publicity,
        name="end_publicity",
    ),
    path("publishing/rounds/<id:pk>/notice/", views.notice, name="notice"),
    path(
        "publishing/rounds/<id:pk>/notice/preview.<str:fmt>",
        notice_views.notice_preview,
        name="notice_preview",
    ),
    path("publishing/rounds/<id:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("publishing/rounds/<id:pk>/documents/", views.generate, name="generate"),
    path("publishing/rounds/<id:pk>/documents/status/", views.document_status, name="status"),
    path("publishing/objections/<id:pk>/answer/", views.answer_objection, name="answer"),
    path(
        "publishing/rounds/<id:pk>/certificates.pdf",
        certificate_views.round_certificates,
        name="certificates",
    ),
    path(
        "publishing/cases/<id:pk>/certificate.pdf",
        certificate_views.case_certificate,
        name="case_certificate",
    ),
    # The public.
    path("publicity/<id:pk>/", public_views.publicity, name="publicity"),
    path("publicity/<id:pk>/objection/", public_views.object_to, name="object"),
    path(
        "publicity/<id:pk>/cases/<id:case_pk>/",
        public_views.publicity_case,
        name="publicity_case",
    ),
    path("publicity/objection-status/", public_views.objection_status, name="objection_status"),
    path("notices/<id:pk>/<str:fmt>/", public_views.download, name="download"),
    path("statistics/", public_views.statistics_page, name="statistics"),
    path("export/rounds/<id:pk>.<str:fmt>", public_views.export_round, name="export_round"),
    path("export/cases.<str:fmt>", public_views.export_search, name="export_search"),
    path("feeds/rounds/", feeds.PublishedRoundsFeed(), name="feed"),
    path("feeds/rounds/atom/", feeds.PublishedRoundsAtomFeed(), name="feed_atom"),
    # The read-only JSON API.
    path("api/", api.index, name="api_index"),
    path("api/rounds/", api.rounds, name="api_rounds"),
    path("api/cases/", api.cases, name="api_cases"),
    path("api/cases/<id:pk>/", api.case_detail, name="api_case"),
    path("api/adoptions/", api.adoptions, name="api_adoptions"),
]
