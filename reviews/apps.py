from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = _("评选")

    def ready(self):
        # Connects the receivers that refuse deleting a sealed sheet, by any path.
        from . import sealing  # noqa: F401
