from django.urls import path

from .views import own_data, public

app_name = "vote"
urlpatterns = [
    path("<id:round_pk>/cases/<id:pk>/vote/", public.cast, name="cast"),  # the busiest first
    path("", public.index, name="index"),
    path("phone/", public.phone, name="phone"),
    path("verify/", public.verify, name="verify"),
    path("forget/", public.forget, name="forget"),
    path("me/", own_data.page, name="own_data"),
    path("me/delete/", own_data.delete, name="delete_own_data"),
    path("<id:pk>/", public.round_page, name="round"),
    path("<id:round_pk>/cases/<id:pk>/", public.case_page, name="case"),
]
