"""A rejected case loses its link as an adoption's own later case; the record stays."""

from django.db.models.signals import post_save

from cases.models import Case


def _unlink_rejected(sender, instance, raw=False, **kwargs):
    if raw or instance.status != Case.Status.REJECTED:
        return
    from .models import Adoption

    # One save each (not update()) so that the history shows the link going.
    for adoption in Adoption.objects.filter(own_case=instance):
        adoption.own_case = None
        adoption.save(update_fields=["own_case", "updated_at"])


def connect():
    post_save.connect(_unlink_rejected, sender=Case, dispatch_uid="adoption_unlink_rejected")
