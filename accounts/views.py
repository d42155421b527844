from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

# Where each role starts its day; a page that a later feature has not built yet falls back
# to the generic dashboard.
ROLE_HOME = {
    "staff": "cases:staff_dashboard",
    "officer": "cases:my_cases",
    "expert": "reviews:expert_home",
}


@login_required
def home(request):
    user = request.user
    role = "staff" if user.is_commission_staff else user.role
    target = ROLE_HOME.get(role)
    if target:
        try:
            return redirect(reverse(target))
        except NoReverseMatch:
            pass
    return render(request, "accounts/home.html")


@login_required
def audit(request):
    """Staff read the trail; nobody edits it here (the page has no form that writes)."""
    from django.core.exceptions import PermissionDenied

    from . import audit as trail

    if not request.user.has_perm("accounts.view_audit"):
        raise PermissionDenied
    model_label = request.GET.get("model", "")
    models = trail.tracked_models()
    if model_label not in {label for _, label, _ in models}:
        model_label = ""
    context = {
        "entries": trail.entries(model_label=model_label),
        "models": models,
        "selected": model_label,
    }
    return render(request, "accounts/audit.html", context)
