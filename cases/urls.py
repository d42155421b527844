from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("archive/", views.archive, name="archive"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("<int:pk>/", views.case_detail, name="detail"),
]
