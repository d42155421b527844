from django.urls import path

from .views import public

app_name = "vote"
urlpatterns = [
    path("<id:round_pk>/cases/<id:pk>/vote/", public.cast, name="cast"),  # the busiest first
    path("", public.index, name="index"),
    path("phone/", public.phone, name="phone"),
    path("verify/", public.verify, name="verify"),
    path("forget/", public.forget, name="forget"),
    path("<id:pk>/", public.round_page, name="round"),
    path("<id:round_pk>/cases/<id:pk>/", public.case_page, name="case"),
]
