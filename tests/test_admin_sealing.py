"""The admin keeps the seal (issue #14).

Built like tests/test_authorization_matrix.py, whose world it reuses, but from the admin's own
registry (``admin.site._registry``) instead of the resolver: every registered model admin, each
of its pages (changelist, add, change, delete, history and each history version, each action's
confirmation, export) and every lookup path from its model to a sealed field is walked while a
review runs, as the commission's ``staff``, a superuser. A model admin added later is walked
too, without an entry here.

Sealed values are looked for robustly: a comment carrying a random marker, and scores with two
decimals matched as whole numbers (``shows_number``: 35.5 inside a timestamp is not a score).
"""

import re
import uuid
from collections import deque

import pytest
import tablib
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError, TextField
from django.test import RequestFactory, override_settings
from django.urls import reverse
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from accounts.admin import UserResource
from cases.models import Case, District, Round
from reviews import review
from reviews.admin import AssignmentResource
from reviews.models import Assignment, Score, ScoreSheet
from reviews.rules import can
from reviews.score_upload import parse_upload
from tests.conftest import make_user
from tests.test_authorization_matrix import (
    DERIVED_VALUES,
    SEALED_COMMENT,
    SEALED_VALUES,
    build_world,
    shows_number,
)

MARKER = f"密封评语{uuid.uuid4().hex[:12]}"
MARKER_SCORES = {"leading": "17.25", "felt": "13.75", "replicable": "12.25"}
# Case B's sheets here: 88.75, 79.25 and the marker's 43.25; their mean 70.41666…
DERIVED_NUMBERS = [*DERIVED_VALUES, "43.25", "70.42", "70.417", "70.4167"]
SEALED_NUMBERS = [*SEALED_VALUES, *MARKER_SCORES.values(), *DERIVED_NUMBERS]
SEALED_TEXTS = [SEALED_COMMENT, MARKER]
# model -> the fields whose values are sealed while the review runs: whatever an expert writes
# on a sheet (every text field, a field added later too) and the scores.
SEALED_FIELDS = {
    ScoreSheet: [f.name for f in ScoreSheet._meta.fields if isinstance(f, TextField)],
    Score: ["value"],
}

ADMINS = {
    model._meta.label: (model, model_admin) for model, model_admin in admin.site._registry.items()
}


# --- The world: the matrix's, with a superuser for staff and a marked sheet -----------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            w = build_world()
            staff = w.users["staff"]
            staff.is_superuser = True  # as the demo's staff: must not unseal anything
            staff.save()
            w.third = make_user("expert_c", role="expert", organisation="同济大学")
            w.third_b = review.add_assignment(case=w.review_case_b, expert=w.third)
            review.save_sheet(
                assignment=w.third_b,
                user=w.third,
                values=MARKER_SCORES,
                comment=MARKER,
                submit=True,
            )
            yield w
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db, client):
    client.force_login(shared_world.users["staff"])
    return shared_world


def admin_request(world):
    request = RequestFactory().get("/admin/")
    request.user = world.users["staff"]
    return request


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def assert_nothing_sealed(response, where):
    text = body(response)
    for value in SEALED_NUMBERS:
        assert not shows_number(text, value), (where, value)
    for comment in SEALED_TEXTS:
        assert comment not in text, (where, comment)


# --- Lookup paths, found from the models themselves -------------------------------------------

NOT_OURS = {"admin", "auth", "contenttypes", "sessions", "axes"}


def relation_paths(model, depth):
    """(lookup path, model reached) for every chain of at most ``depth`` relations from
    ``model``, no model twice on a chain; ("", model) first."""
    queue = deque([(model, "", (model,))])
    while queue:
        current, prefix, seen = queue.popleft()
        yield prefix, current
        if len(seen) > depth:
            continue
        for field in current._meta.get_fields():
            target = field.related_model
            if not field.is_relation or target is None or target in seen:
                continue
            if target._meta.app_label in NOT_OURS:
                continue
            path = f"{prefix}__{field.name}" if prefix else field.name
            queue.append((target, path, (*seen, target)))


def sealed_lookups(model):
    """Every lookup reaching a sealed field from ``model``: ``comment``,
    ``assignments__sheet__scores__value``…"""
    for path, reached in relation_paths(model, depth=3):
        for name in SEALED_FIELDS.get(reached, ()):
            yield f"{path}__{name}" if path else name


def reaches_sealed(model, name: str) -> bool:
    return any(
        name.lstrip("-^=@") == lookup or name.lstrip("-^=@").startswith(lookup + "__")
        for lookup in sealed_lookups(model)
    )


def probes(lookup):
    """Query strings that would test a guess against a sealed value if the admin applied them."""
    if not lookup.endswith("value"):
        return [
            {f"{lookup}__contains": MARKER[:6]},
            {f"{lookup}__icontains": SEALED_COMMENT[:3]},
            {f"{lookup}__startswith": MARKER[:5]},
            {lookup: MARKER},
            {f"{lookup}__regex": "^密"},
            {f"{lookup}__isnull": "False"},
        ]
    return [
        {f"{lookup}__gte": "30"},
        {f"{lookup}__lt": "20"},
        {lookup: "36.75"},
        {f"{lookup}__in": "17.25,13.75"},
        {f"{lookup}__range": "13,14"},
    ]


def samples(model, world):
    """The objects whose pages are walked: the first few, and every one tied to the round
    under review (through at most two relations)."""
    manager = model._default_manager
    picked = {obj.pk: obj for obj in manager.order_by("pk")[:3]}
    if model is Round:
        picked[world.review_round.pk] = world.review_round
    for path, reached in relation_paths(model, depth=2):
        if reached is Round and path:
            for obj in manager.filter(**{path: world.review_round}).distinct()[:8]:
                picked[obj.pk] = obj
    return list(picked.values())


def test_the_walk_reaches_the_sealed_models():
    """The walk is not vacuous: the sheets and the ways to them are registered and found."""
    assert "reviews.ScoreSheet" in ADMINS and "reviews.Assignment" in ADMINS
    assert "comment" in set(sealed_lookups(ScoreSheet))
    assert "assignments__sheet__scores__value" in set(sealed_lookups(Case))
    assert "sheet__comment" in set(sealed_lookups(Assignment))


# --- Every page of every model admin ----------------------------------------------------------


def export_responses(client, model, model_admin, request, query=""):
    """Every text export of every resource, all fields ticked, as the export form posts it."""
    page = client.get(admin_url(model, "export") + query)
    if page.status_code != 200:
        yield page
        return
    form = page.context["form"]
    text = [
        value
        for value, title in form.fields["format"].choices
        if str(title).lower() in ("csv", "json", "tsv", "yaml", "html")
    ]
    for index, _resource in enumerate(model_admin.get_export_resource_classes(request)):
        ticked = {
            name: "on"
            for name, field in form.fields.items()
            if getattr(field, "is_selectable_field", False) and field.resource_index == index
        }
        for fmt in text:
            yield client.post(
                admin_url(model, "export") + query, {"resource": index, "format": fmt, **ticked}
            )


@pytest.mark.parametrize("label", sorted(ADMINS))
def test_every_admin_page_keeps_the_seal_while_a_review_runs(client, world, label):
    model, model_admin = ADMINS[label]
    request = admin_request(world)
    objs = samples(model, world)
    pages = ["/admin/", f"/admin/{model._meta.app_label}/", admin_url(model, "changelist")]
    pages.append(admin_url(model, "add"))
    for obj in objs:
        pages += [
            admin_url(model, "change", obj.pk),
            admin_url(model, "delete", obj.pk),
            admin_url(model, "history", obj.pk),
        ]
        if isinstance(model_admin, SimpleHistoryAdmin):
            history = getattr(model, model._meta.simple_history_manager_attribute)
            for record in history.filter(**{model._meta.pk.attname: obj.pk}):
                pages.append(admin_url(model, "simple_history", obj.pk, record.history_id))
    for page in pages:
        response = client.get(page)
        assert response.status_code in (200, 302, 403), (page, response.status_code)
        assert_nothing_sealed(response, page)

    # Each action's confirmation (delete selected, export selected…) for those objects.
    for action in model_admin.get_actions(request):
        response = client.post(
            admin_url(model, "changelist"),
            {"action": action, "_selected_action": [o.pk for o in objs], "index": 0},
        )
        assert response.status_code in (200, 302, 403), (action, response.status_code)
        assert_nothing_sealed(response, action)

    if isinstance(model_admin, ExportMixin):
        for response in export_responses(client, model, model_admin, request):
            assert response.status_code == 200, label
            assert_nothing_sealed(response, f"{label} export")


@pytest.mark.parametrize("label", sorted(ADMINS))
def test_no_lookup_search_or_ordering_tests_a_guess_against_a_sealed_value(client, world, label):
    model, model_admin = ADMINS[label]
    request = admin_request(world)
    changelist = admin_url(model, "changelist")
    baseline = client.get(changelist).context["cl"].result_count

    def unfiltered(response, where):
        """Refused (400), or answered without filtering: the same rows whatever the guess."""
        if response.status_code == 400:
            return
        assert response.status_code == 200, (where, response.status_code)
        assert response.context["cl"].result_count == baseline, where

    for lookup in sealed_lookups(model):
        for params in probes(lookup):
            unfiltered(client.get(changelist, params), (label, params))
            if isinstance(model_admin, ExportMixin):
                query = "?" + "&".join(f"{k}={v}" for k, v in params.items())
                for response in export_responses(client, model, model_admin, request, query):
                    assert response.status_code == 400, (label, "export", params)
    # A search finds the same rows for a guess that matches a sealed value as for one that
    # does not (it may search other fields: the count need not be the baseline).
    for guess, miss in ((MARKER, f"密封评语{uuid.uuid4().hex[:12]}"), ("36.75", "36.76")):
        found = [client.get(changelist, {"q": q}) for q in (guess, miss)]
        if found[0].status_code == 400:
            continue
        counts = [r.context["cl"].result_count for r in found]
        assert counts[0] == counts[1], (label, "q", guess, counts)

    # Nor a column, a filter, a search field or an ordering on a sealed field.
    names = [
        *model_admin.get_list_display(request),
        *model_admin.get_sortable_by(request),
        *model_admin.get_search_fields(request),
        *(
            f[0] if isinstance(f, (list, tuple)) else f
            for f in model_admin.get_list_filter(request)
        ),
        *(model_admin.get_ordering(request) or ()),
    ]
    offered = [n for n in names if isinstance(n, str) and reaches_sealed(model, n)]
    assert not offered, (label, offered)


def test_a_sealed_lookup_is_allowed_again_once_the_review_closes(client, world):
    close_the_review(world)
    response = client.get(admin_url(ScoreSheet, "changelist"), {"comment__contains": MARKER})
    assert response.status_code == 200 and response.context["cl"].result_count == 1


def test_no_str_shows_a_score_or_a_comment(world):
    for model in (Assignment, ScoreSheet, Score):
        for obj in model.objects.all():
            text = str(obj)
            assert not any(shows_number(text, v) for v in SEALED_NUMBERS), text
            assert not any(c in text for c in SEALED_TEXTS), text
            for historical in getattr(obj, "history", model.objects.none()).all():
                assert not any(shows_number(str(historical), v) for v in SEALED_NUMBERS)


def test_the_sheet_admin_keeps_the_superuser_out_until_the_review_closes(client, world):
    sheet = world.third_b.sheet
    record = sheet.history.first()
    history_pages = [
        admin_url(ScoreSheet, "history", sheet.pk),
        admin_url(ScoreSheet, "simple_history", sheet.pk, record.history_id),
    ]
    for page in history_pages:
        assert client.get(page).status_code == 403
    assert not can("reviews.view_scores", world.users["staff"], world.review_round)
    close_the_review(world)
    for page in history_pages:
        assert client.get(page).status_code == 200
    assert MARKER in body(client.get(admin_url(ScoreSheet, "change", sheet.pk)))


# --- Deleting and editing a submitted sheet, by every path ---------------------------------


def close_the_review(w):
    review.save_sheet(
        assignment=w.expert_a,
        user=w.users["expert"],
        values={"leading": "35.5", "felt": "20", "replicable": "20"},
        submit=True,
    )
    review.close_review(round=w.review_round, user=w.users["staff"])


def sealed_rows(w):
    """The submitted sheets of the running review: assignments, sheets, scores."""
    locked = [w.expert_b.pk, w.recused_b.pk, w.third_b.pk]
    return (
        sorted(Assignment.objects.filter(pk__in=locked).values_list("pk", flat=True)),
        sorted(ScoreSheet.objects.filter(assignment__in=locked).values_list("pk", "status")),
        Score.objects.filter(sheet__assignment__in=locked).count(),
        Case.objects.filter(pk=w.review_case_b.pk).exists(),
        Round.objects.filter(pk=w.review_round.pk).exists(),
    )


def delete_selected(client, model, pks):
    return client.post(
        admin_url(model, "changelist"),
        {"action": "delete_selected", "_selected_action": pks, "index": 0, "post": "yes"},
    )


ADMIN_DELETIONS = {
    "assignment": lambda c, w: c.post(
        admin_url(Assignment, "delete", w.expert_b.pk), {"post": "yes"}
    ),
    "sheet": lambda c, w: c.post(
        admin_url(ScoreSheet, "delete", w.expert_b.sheet.pk), {"post": "yes"}
    ),
    "selected_assignments": lambda c, w: delete_selected(
        c, Assignment, [w.expert_a.pk, w.expert_b.pk, w.third_b.pk]
    ),
    "selected_sheets": lambda c, w: delete_selected(
        c, ScoreSheet, [w.expert_a.sheet.pk, w.recused_b.sheet.pk]
    ),
    "case": lambda c, w: c.post(admin_url(Case, "delete", w.review_case_b.pk), {"post": "yes"}),
    "selected_cases": lambda c, w: delete_selected(c, Case, [w.review_case_b.pk]),
    "round": lambda c, w: c.post(admin_url(Round, "delete", w.review_round.pk), {"post": "yes"}),
    "selected_rounds": lambda c, w: delete_selected(c, Round, [w.review_round.pk]),
}


@pytest.mark.parametrize("path", sorted(ADMIN_DELETIONS))
def test_the_admin_deletes_no_submitted_sheet_while_the_review_runs(client, world, path):
    before = sealed_rows(world)
    response = ADMIN_DELETIONS[path](client, world)
    assert response.status_code in (200, 403), response.status_code  # refused, not an error
    assert_nothing_sealed(response, path)
    assert sealed_rows(world) == before


def test_the_delete_pages_say_why_they_refuse(client, world):
    for model, obj in (
        (Case, world.review_case_b),
        (Round, world.review_round),
        (Assignment, world.expert_a),  # a draft: deletable, as on the assignment page
    ):
        page = body(client.get(admin_url(model, "delete", obj.pk)))
        assert ("评审结束前不能删除" in page) == (model is not Assignment), model


ORM_DELETIONS = {
    "assignment": lambda w: Assignment.objects.get(pk=w.expert_b.pk).delete(),
    "assignments": lambda w: Assignment.objects.filter(round=w.review_round).delete(),
    "sheet": lambda w: ScoreSheet.objects.get(assignment=w.third_b).delete(),
    "sheets": lambda w: ScoreSheet.objects.all().delete(),
    "score": lambda w: Score.objects.filter(sheet__assignment=w.third_b).first().delete(),
    "scores": lambda w: Score.objects.filter(sheet__assignment__round=w.review_round).delete(),
    "case": lambda w: Case.objects.get(pk=w.review_case_b.pk).delete(),
    "cases": lambda w: Case.objects.filter(round=w.review_round).delete(),
    "round": lambda w: Round.objects.get(pk=w.review_round.pk).delete(),
}


@pytest.mark.parametrize("path", sorted(ORM_DELETIONS))
def test_the_models_delete_no_submitted_sheet_while_the_review_runs(world, path):
    before = sealed_rows(world)
    with pytest.raises(ProtectedError), transaction.atomic():
        ORM_DELETIONS[path](world)
    assert sealed_rows(world) == before


@pytest.mark.parametrize("path", sorted(set(ADMIN_DELETIONS) - {"round", "selected_rounds"}))
def test_the_admin_deletes_them_once_the_review_is_closed(client, world, path):
    close_the_review(world)
    before = sealed_rows(world)
    response = ADMIN_DELETIONS[path](client, world)
    assert response.status_code == 302, response.status_code
    assert sealed_rows(world) != before


@pytest.mark.parametrize("path", sorted(ORM_DELETIONS))
def test_the_models_delete_them_once_the_review_is_closed(world, path):
    close_the_review(world)
    before = sealed_rows(world)
    if path == "round":  # a round with cases is protected anyway (Case.round): cases first
        Case.objects.filter(round=world.review_round).delete()
    ORM_DELETIONS[path](world)
    assert sealed_rows(world) != before


def test_a_round_is_deleted_in_the_admin_once_its_review_closed_and_its_cases_are_gone(
    client, world
):
    close_the_review(world)
    Case.objects.filter(round=world.review_round).delete()
    response = client.post(admin_url(Round, "delete", world.review_round.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Round.objects.filter(pk=world.review_round.pk).exists()


def test_the_admin_edits_no_assignment_or_sheet(client, world):
    before = sealed_rows(world), Assignment.objects.get(pk=world.expert_b.pk).expert_id
    data = {
        "case": world.review_case_a.pk,
        "expert": world.third.pk,
        "round": world.review_round.pk,
    }
    for page in (
        admin_url(Assignment, "change", world.expert_b.pk),
        admin_url(ScoreSheet, "change", world.expert_b.sheet.pk),
    ):
        assert client.post(page, {**data, "comment": "改", "status": "draft"}).status_code == 403
    assert (sealed_rows(world), Assignment.objects.get(pk=world.expert_b.pk).expert_id) == before


# --- Recusal where the score is saved ---------------------------------------------------------


@pytest.fixture
def conflicted(world):
    """Assignments the assignment page would never make, written straight to the database:
    an expert of the case's district (objects.create), one of its organisation (bulk_create)
    and one who declared 回避 (objects.create)."""
    pudong = District.objects.get(code="pudong")
    same_district = make_user("pudong_expert", role="expert", district=pudong)
    same_org = make_user("org_expert", role="expert", organisation="浦东新区发改委")
    declared = make_user("declared_expert", role="expert", organisation="华东师范大学")
    case = world.review_case_b
    made = [Assignment.objects.create(round=world.review_round, case=case, expert=same_district)]
    Assignment.objects.bulk_create(
        [Assignment(round=world.review_round, case=case, expert=same_org)]
    )
    made.append(Assignment.objects.get(case=case, expert=same_org))
    made.append(
        Assignment.objects.create(
            round=world.review_round, case=case, expert=declared, recused=True, recusal_reason="x"
        )
    )
    return made


SCORES = {"leading": "30", "felt": "20", "replicable": "20"}


def test_no_score_is_saved_on_a_conflicted_assignment_by_any_path(client, world, conflicted):
    for assignment in conflicted:
        expert = assignment.expert
        assert not can("reviews.score_assignment", expert, assignment)
        with pytest.raises(ValidationError):
            review.save_sheet(assignment=assignment, user=expert, values=SCORES, submit=True)
        client.force_login(expert)
        url = reverse("reviews:sheet", args=[assignment.pk])
        submitted = {**SCORES, "action": "submit", "confirmed": "yes"}
        assert client.post(url, submitted).status_code == 403
        # The shell: a sheet written directly cannot be submitted, nor hold a score.
        sheet = ScoreSheet.objects.create(assignment=assignment)
        with pytest.raises(ValidationError), transaction.atomic():
            Score.objects.create(sheet=sheet, criterion="leading", value="30")
        with pytest.raises(ValidationError), transaction.atomic():
            Score.objects.bulk_create([Score(sheet=sheet, criterion="felt", value="20")])
        sheet.status = ScoreSheet.Status.SUBMITTED
        with pytest.raises(ValidationError), transaction.atomic():
            sheet.save()
        assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheet.Status.DRAFT
        assert not Score.objects.filter(sheet=sheet).exists()
        # Nor a paper sheet.
        rows = "".join(
            f"{assignment.case_id},{expert.username},{k},{v}\n" for k, v in SCORES.items()
        )
        preview = parse_upload(
            round=world.review_round, data=f"case,expert,criterion,score\n{rows}".encode()
        )
        assert not preview.ok


def test_an_eligible_expert_still_scores(world):
    sheet = review.save_sheet(
        assignment=world.expert_a, user=world.users["expert"], values=SCORES, submit=True
    )
    assert sheet.status == ScoreSheet.Status.SUBMITTED and sheet.scores.count() == 3
    with pytest.raises(ValidationError), transaction.atomic():  # submitted: scores locked
        Score.objects.filter(sheet=sheet).first().save()


# --- Assignments made or imported in the admin follow the assignment page's rules -----------


def import_assignments(rows, world, dry_run=False):
    dataset = tablib.Dataset(headers=["id", "round", "case", "expert", "recused"])
    for row in rows:
        dataset.append(row)
    return AssignmentResource().import_data(dataset, dry_run=dry_run)


def test_the_admin_adds_only_assignments_the_page_would(client, world):
    pudong_expert = make_user(
        "pudong_expert", role="expert", district=District.objects.get(code="pudong")
    )
    newcomer = make_user("newcomer", role="expert", organisation="上海财经大学")
    add = admin_url(Assignment, "add")
    refused = [
        {"case": world.review_case_b.pk, "expert": pudong_expert.pk},  # 回避: same district
        {"case": world.review_case_a.pk, "expert": world.users["officer_a"].pk},  # not an expert
        {"case": world.vote_a.pk, "expert": newcomer.pk},  # not shortlisted, not under review
    ]
    for data in refused:
        response = client.post(add, data)
        assert response.status_code == 200 and response.context["errors"], data
    assert not Assignment.objects.filter(expert__in=[pudong_expert, newcomer]).exists()
    assert (
        client.post(add, {"case": world.review_case_b.pk, "expert": newcomer.pk}).status_code == 302
    )
    made = Assignment.objects.get(expert=newcomer)
    assert made.round == world.review_round and not made.recused


def test_the_admin_import_follows_the_assignment_pages_rules(world):
    pudong_expert = make_user(
        "pudong_expert", role="expert", district=District.objects.get(code="pudong")
    )
    newcomer = make_user("newcomer", role="expert", organisation="上海财经大学")
    round_ = world.review_round.pk
    refused = [
        ["", round_, world.review_case_b.pk, pudong_expert.pk, ""],  # same district
        ["", round_, world.vote_a.pk, newcomer.pk, ""],  # not shortlisted, not under review
        ["", world.closed_round.pk, world.review_case_b.pk, newcomer.pk, ""],  # wrong round
        ["", round_, world.review_case_a.pk, world.users["officer_a"].pk, ""],  # not an expert
        # An existing assignment moved to another expert: never edited.
        [world.expert_b.pk, round_, world.review_case_b.pk, newcomer.pk, ""],
    ]
    result = import_assignments(refused, world)
    assert len(result.invalid_rows) == len(refused)
    assert not Assignment.objects.filter(
        expert__in=[pudong_expert, newcomer, world.users["officer_a"]]
    ).exists()
    assert Assignment.objects.get(pk=world.expert_b.pk).expert == world.users["expert"]

    result = import_assignments([["", round_, world.review_case_a.pk, newcomer.pk, "1"]], world)
    assert not result.has_validation_errors() and not result.has_errors()
    assert not Assignment.objects.get(expert=newcomer).recused


def test_the_assignment_admin_imports_and_exports_through_its_resource(world):
    _model, model_admin = ADMINS["reviews.Assignment"]
    request = admin_request(world)
    assert model_admin.get_import_resource_classes(request) == [AssignmentResource]
    assert model_admin.get_export_resource_classes(request) == [AssignmentResource]


# --- The user admin: no password hash out, no password or power in --------------------------


def test_the_user_export_leaves_out_password_hashes(client, world):
    _model, model_admin = ADMINS["accounts.User"]
    model = _model
    request = admin_request(world)
    responses = list(export_responses(client, model, model_admin, request))
    assert responses
    hashes = [u.password for u in model.objects.all()]
    for response in responses:
        assert response.status_code == 200
        text = body(response)
        assert "password" not in re.split(r"[\s,\"':{}\[\]<>]+", text.lower())  # no column
        assert not any(h and h in text for h in hashes)


def test_the_user_admin_refuses_lookups_on_password_hashes(client, world):
    # Django's UserAdmin refuses them itself: kept so that an override cannot lose it.
    response = client.get(
        admin_url(world.users["staff"].__class__, "changelist"), {"password__startswith": "md5"}
    )
    assert response.status_code == 400


def test_the_user_import_sets_no_password_and_no_power(world):
    User = world.users["staff"].__class__
    officer = world.users["officer_a"]
    hashed = officer.password
    dataset = tablib.Dataset(
        headers=["id", "username", "password", "is_superuser", "is_staff", "role", "organisation"]
    )
    dataset.append(["", "imported", "md5$salt$0123456789abcdef", "1", "1", "expert", "复旦大学"])
    dataset.append(
        [officer.pk, "officer_a", "md5$salt$0123456789abcdef", "1", "1", "officer", "嘉定区发改委"]
    )
    result = UserResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    imported = User.objects.get(username="imported")
    assert imported.role == "expert" and imported.organisation == "复旦大学"
    assert (
        not imported.has_usable_password() and not imported.is_superuser and not imported.is_staff
    )
    officer.refresh_from_db()
    assert officer.password == hashed and not officer.is_superuser and not officer.is_staff
