"""Pages for adoption records: officers record and edit their own district's, read who took
up their district's practice; staff read all and confirm or return them (cases.adoption.service).

A record a user may not see is a 404 (as the submission pages): nothing tells another
district that it exists.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.models import Adoption, Case

from . import service
from .forms import AdoptionForm, ReviewForm

RELATED = ("source", "source__round", "source__district", "district", "own_case")


def _get_or_404(request, pk, perm="cases.view_adoption"):
    adoption = get_object_or_404(Adoption.objects.select_related(*RELATED), pk=pk)
    if not request.user.has_perm("cases.view_adoption", adoption):
        raise Http404
    if perm != "cases.view_adoption" and not request.user.has_perm(perm, adoption):
        raise PermissionDenied
    return adoption


def _officer_district(request):
    if not request.user.has_perm("cases.record_adoption") or request.user.district is None:
        raise PermissionDenied
    return request.user.district


@login_required
def adoption_list(request):
    user = request.user
    records = Adoption.objects.select_related(*RELATED)
    status = request.GET.get("status", "")
    if status not in Adoption.Status.values:
        status = ""
    if user.is_commission_staff:
        own = records.filter(status=status) if status else records
        context = {"records": own[:500], "staff_view": True, "status": status}
    else:
        district = _officer_district(request)
        context = {
            "records": records.filter(district=district),
            "taken_up": records.filter(source__district=district).exclude(district=district),
            "district": district,
        }
    context["statuses"] = Adoption.Status.choices
    return render(request, "cases/adoption/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def adoption_form(request, pk=None):
    district = _officer_district(request)
    adoption = _get_or_404(request, pk, "cases.change_adoption") if pk else None
    initial = {}
    if adoption is None and request.GET.get("source", "").isdigit():
        initial["source"] = request.GET["source"][:19]
    form = AdoptionForm(request.POST or None, instance=adoption, district=district, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = service.save_record(form.save(commit=False), user=request.user)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("借鉴记录已保存，待市发改委确认后公开。"))
            return redirect("cases:adoption_detail", saved.pk)
    return render(request, "cases/adoption/form.html", {"form": form, "adoption": adoption})


@login_required
def adoption_detail(request, pk):
    adoption = _get_or_404(request, pk)
    context = {
        "adoption": adoption,
        "can_change": request.user.has_perm("cases.change_adoption", adoption),
        "can_review": request.user.has_perm("cases.review_adoption", adoption),
        "review_form": ReviewForm(),
        "own_case_public": adoption.own_case_id
        and Case.objects.published().filter(pk=adoption.own_case_id).exists(),
    }
    return render(request, "cases/adoption/detail.html", context)


@login_required
@require_POST
def adoption_review(request, pk):
    adoption = _get_or_404(request, pk, "cases.review_adoption")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择确认或退回，审核意见不超过 500 字。"))
        return redirect("cases:adoption_detail", adoption.pk)
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    try:
        if action == "confirm":
            service.confirm(adoption, user=request.user, comment=comment)
            messages.success(request, _("借鉴记录已确认，已通知两个区。"))
        else:
            service.return_record(adoption, user=request.user, comment=comment)
            messages.success(request, _("借鉴记录已退回。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("cases:adoption_detail", adoption.pk)


def diffusion(request):
    """/diffusion/ (互学互鉴): public figures from confirmed records; ``year`` is the source
    case's year."""
    from core.identifiers import IdentifierError, optional_int

    from . import diffusion as figures

    try:
        year = optional_int(request.GET.get("year"), minimum=1, maximum=9999)
    except IdentifierError:
        year = None
    years, table = figures.district_years(year)
    context = {
        "practices": figures.most_adopted(year),
        "years": years,
        "table": table,
        "year": year,
        "source_years": sorted(
            set(figures.confirmed().values_list("source__round__year", flat=True))
        ),
    }
    return render(request, "cases/adoption/diffusion.html", context)
