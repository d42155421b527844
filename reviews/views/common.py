"""Access helpers: the first line of every view that needs a role names its permission."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from cases.models import Round


def require_perm(perm):
    """Anonymous users go to the login page; signed-in users without ``perm`` get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_perm(perm):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = require_perm("reviews.manage_selection")
expert_required = require_perm("reviews.expert_area")


def get_round(pk, *statuses) -> Round:
    rounds = Round.objects.all()
    if statuses:
        rounds = rounds.filter(status__in=statuses)
    return get_object_or_404(rounds, pk=pk)
