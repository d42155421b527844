"""Hostile parameters never answer 5xx (issue #16), on SQLite and PostgreSQL: an id that cannot
exist answers 4xx, a junk filter may be ignored with a 200.

Every URL comes from the resolver (a page added without an entry in READS fails
``test_every_url_names_the_parameters_it_reads``), with the query and form parameters its view
reads. While these tests run, ``request.GET`` and ``request.POST`` record every key that product
code reads from them (reads by Django's own forms are the forms' business): a view that reads a
parameter its entry does not name fails, so the list cannot silently fall behind the views.

Each named parameter then gets each hostile value (huge, beyond 64 bits, negative, zero,
non-ASCII digits, a superscript, NUL, very long, empty, repeated), as the roles that reach the
view: anonymous and staff always, and the officer, expert or voter where the page is theirs.
Each id in the path gets ids that cannot exist (beyond 64 bits, zero, non-ASCII digits). Any
5xx, or an exception, fails with the request that caused it.

The objects the URLs name are the authorization matrix's world (tests/test_authorization_matrix.py).
"""

import sys
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import QueryDict
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.test_authorization_matrix import (
    LOGIN,
    NOT_PAGES,
    POLICY,
    To,
    build_world,
    sign_in,
    url_names,
)


@dataclass(frozen=True)
class Reads:
    """What a view reads: ``get`` and ``post`` its code reads itself (the recorder checks
    these); ``form``, fields a Django form reads that are ids or numbers, fuzzed as well."""

    get: tuple = ()
    post: tuple = ()
    form: tuple = ()
    bases: tuple = ({},)  # form data each hostile POST is added to (to reach a branch)


NEXT = Reads(get=("next",), post=("next",))
ARCHIVE = ("q", "year", "tier", "district", "topic")
CASE_FORM = Reads(
    post=("action",),
    form=("topic", "figures-TOTAL_FORMS", "figures-INITIAL_FORMS", "figures-0-id"),
)

READS = {
    # Accounts (Django's login view reads ``next`` and its form itself: fuzzed, not recorded).
    "home": Reads(),
    "favicon": Reads(),
    "login": Reads(form=("next", "username", "password")),
    "logout": Reads(form=("next",)),
    "device_link_request": Reads(post=("username",)),
    "device_link": Reads(),
    "password_change": Reads(form=("old_password", "new_password1", "new_password2")),
    "password_change_done": Reads(),
    "accounts:home": Reads(),
    "accounts:audit": Reads(get=("model", "round", "case", "user", "page")),
    "accounts:own_data": Reads(),
    "privacy": Reads(),
    "accounts:security_audit": Reads(get=("kind", "person", "since", "until", "page")),
    "accounts:security_audit_export": Reads(get=("kind", "person", "since", "until")),
    "two_factor": Reads(get=("next",), post=("next",), form=("token",)),
    # The public archive.
    "cases:archive": Reads(get=(*ARCHIVE, "page")),
    "diffusion": Reads(get=("year",)),
    "cases:round": Reads(),
    "cases:detail": Reads(),
    # District officers.
    "cases:my_cases": Reads(),
    # 互学互鉴: adoption records.
    "cases:adoptions": Reads(get=("status",)),
    "cases:adoption_create": Reads(get=("source",), form=("source", "since", "own_case")),
    "cases:adoption_detail": Reads(),
    "cases:adoption_edit": Reads(form=("source", "since", "own_case")),
    "cases:adoption_review": Reads(form=("action", "comment")),
    "cases:submission_create": CASE_FORM,
    "cases:submission_detail": Reads(),
    "cases:submission_edit": CASE_FORM,
    "cases:submission_preview": Reads(),
    "cases:submission_history": Reads(),
    "cases:submission_submit": Reads(post=("confirmed",), bases=({}, {"confirmed": "yes"})),
    "cases:submission_withdraw": Reads(),
    "cases:submission_return_request": Reads(form=("reason",)),
    "cases:submission_delete": Reads(post=("confirmed",), bases=({}, {"confirmed": "yes"})),
    "cases:attachment_upload": Reads(),
    "cases:attachment_download": Reads(),
    "cases:attachment_delete": Reads(post=("confirmed",), bases=({}, {"confirmed": "yes"})),
    # Commission staff: rounds, dashboard, checking in.
    "cases:staff_dashboard": Reads(get=("round",)),
    "cases:staff_rounds": Reads(),
    "cases:staff_topics": Reads(),
    "cases:staff_round_create": Reads(get=("copy",), form=("year", "max_cases_per_district")),
    "cases:staff_round_edit": Reads(get=("copy",), form=("year", "shortlist_size")),
    "cases:staff_round_status": Reads(post=("to",)),
    "cases:staff_export": Reads(),
    "cases:staff_case": Reads(),
    "cases:staff_case_district": Reads(post=("district",)),
    "cases:staff_case_not_a_copy": Reads(post=("other", "undo")),
    "cases:staff_return_request_decline": Reads(form=("reason",)),
    "cases:staff_case_action": Reads(
        post=("confirmed", "reason"), bases=({}, {"confirmed": "yes"})
    ),
    # The public vote.
    "vote:index": Reads(),
    "vote:phone": Reads(get=("next",), post=("next", "phone", "consent")),
    "vote:verify": NEXT,
    "vote:forget": NEXT,
    "vote:round": Reads(),
    "vote:case": Reads(),
    "vote:cast": NEXT,
    "vote:own_data": Reads(),
    "vote:delete_own_data": Reads(post=("confirmed",), bases=({}, {"confirmed": "yes"})),
    # The captcha before a code is sent (django-simple-captcha's own views).
    "captcha-image": Reads(),
    "captcha-image-2x": Reads(),
    "captcha-audio": Reads(),
    "captcha-refresh": Reads(),
    # The selection, staff.
    "reviews:rounds": Reads(),
    "reviews:experts": Reads(form=("district",)),
    "reviews:votes": Reads(),
    "reviews:vote_data": Reads(),
    "reviews:export_flags": Reads(),
    "reviews:refresh_flags": Reads(),
    "reviews:void": Reads(post=("vote_ids", "reason")),
    "reviews:revoke_voters": Reads(post=("voter_ids", "phone", "reason")),
    "reviews:close_vote": Reads(post=("confirmed",)),
    "reviews:assignments": Reads(),
    "reviews:assignment_action": Reads(
        post=("action", "case", "expert", "assignment", "reason", "confirmed", "allow_missing"),
        bases=(
            {},
            {"action": "add"},
            {"action": "remove"},
            {"action": "reopen"},
            {"action": "close"},
        ),
    ),
    "reviews:upload": Reads(post=("confirm",)),
    "reviews:print_for": Reads(),
    "reviews:results": Reads(),
    "reviews:results_export": Reads(),
    "reviews:approve": Reads(post=("confirmed",)),
    # District officers: feedback after publication.
    "reviews:feedback": Reads(),
    "reviews:feedback_case": Reads(),
    # Experts.
    "reviews:expert_home": Reads(),
    "reviews:sheet": Reads(post=("action", "confirmed"), bases=({}, {"confirmed": "yes"})),
    "reviews:sheet_attachment": Reads(),
    "reviews:recuse": Reads(),
    "reviews:print_mine": Reads(),
    # Publication, staff.
    "publishing:rounds": Reads(),
    "publishing:round": Reads(),
    "publishing:start_publicity": Reads(post=("confirmed",)),
    "publishing:end_publicity": Reads(post=("confirmed", "reason")),
    "publishing:workspace": Reads(),
    "publishing:notice": Reads(post=("publish", "confirmed")),
    "publishing:notice_preview": Reads(),
    "publishing:unpublish": Reads(),
    "publishing:generate": Reads(),
    "publishing:status": Reads(),
    "publishing:certificates": Reads(),
    "publishing:case_certificate": Reads(),
    "publishing:answer": Reads(form=("rank",)),
    # The public: notice period, files, statistics, exports, feeds, API.
    "publishing:publicity": Reads(),
    "publishing:publicity_case": Reads(),
    "publishing:objection_status": Reads(post=("code",)),
    "publishing:object": Reads(get=("case",), form=("case",)),
    "publishing:download": Reads(),
    "publishing:statistics": Reads(),
    "publishing:export_round": Reads(),
    "publishing:export_search": Reads(get=ARCHIVE),
    "publishing:feed": Reads(),
    "publishing:feed_atom": Reads(),
    "publishing:api_index": Reads(),
    "publishing:api_rounds": Reads(),
    "publishing:api_cases": Reads(get=(*ARCHIVE, "page", "page_size")),
    "publishing:api_adoptions": Reads(get=("year", "page", "page_size")),
    "publishing:api_case": Reads(),
}

HUGE = str(2**64)  # beyond any 64-bit key
HOSTILE = [
    HUGE,
    str(2**63),  # one past the largest bigint
    "9" * 60,
    "-1",
    "0",
    "２０２２",  # full-width digits: the same as 2022
    "١٢",  # Arabic-Indic digits
    "²",  # isdigit() says yes, int() says no
    "\x00",
    "20\x0022",
    "字" * 3000,  # very long
    "",
    ["1", "²"],  # repeated
]
# Fields a Django form reads: fewer values (each one renders the whole form again).
FORM_HOSTILE = [HUGE, "-1", "２０２２", "²", "\x00", "字" * 3000, ["1", "²"]]
PATH_IDS = [HUGE, str(2**63), "0", "١", "２"]
PRODUCT = {"accounts", "bizenv", "cases", "core", "publishing", "reviews"}


# --- Recording what views read -----------------------------------------------------------------

RECORDED: set[tuple[str, str]] = set()


def _from_product_code() -> bool:
    """Whether the read comes from the product's own code: the frame that called our
    method (ours: 0, ``_note``: 1, the QueryDict method: 2)."""
    module = sys._getframe(3).f_globals.get("__name__", "")
    return module.split(".")[0] in PRODUCT


class RecordingQueryDict(QueryDict):
    """request.GET / request.POST that notes each key product code reads."""

    source = "GET"

    @classmethod
    def of(cls, params: QueryDict, source: str):
        copy = cls(mutable=True, encoding=params.encoding)
        for key, values in params.lists():
            copy.setlist(key, values)
        copy._mutable = False
        copy.source = source
        return copy

    def _note(self, key):
        if _from_product_code():
            RECORDED.add((self.source, key))

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)

    def _note_all(self):
        if _from_product_code():
            RECORDED.add((self.source, "*"))

    def items(self):
        self._note_all()
        return super().items()

    def lists(self):
        self._note_all()
        return super().lists()

    def dict(self):
        self._note_all()
        return super().dict()


class RecordReads:
    """Last in MIDDLEWARE during these tests: what the view gets is recorded."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = RecordingQueryDict.of(request.GET, "GET")
        request.POST = RecordingQueryDict.of(request.POST, "POST")
        return self.get_response(request)


# --- The world, roles and requests -------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The authorization matrix's world, built once, rolled back at the end; each test runs
    in a savepoint of it."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), media:
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db, settings):
    for name, content in shared_world.files.items():
        if not default_storage.exists(name):
            default_storage.save(name, ContentFile(content))
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RecordReads"]
    # Every request must reach the view's own reading of its parameters, not a 429 or a
    # lockout after the first dozen.
    settings.RATELIMIT_ENABLE = False
    settings.AXES_ENABLED = False
    RECORDED.clear()
    return shared_world


def _rule(name):
    return POLICY.get(name) or next(r for k, r in POLICY.items() if k.split("@")[0] == name)


def _args(name, world):
    rule = _rule(name)
    return rule.args(world) if rule.args else []


def _roles(name):
    """Anonymous and staff, and the officer, expert or voter where the matrix lets them in
    further than anonymous visitors get."""
    expect = _rule(name).expect
    reaches = {r for r, e in expect.items() if e in (200, 302) or isinstance(e, To)}
    extra = [
        role
        for role in ("officer_a", "expert", "voter", "auditor")
        if role in reaches and (expect[role] != expect["anonymous"] or expect[role] == LOGIN)
    ]
    return ["anonymous", "staff", *extra]


def _send(client, method, url, data, context):
    try:
        response = getattr(client, method)(url, data)
    except Exception as exc:
        raise AssertionError(f"{method.upper()} {url} {data!r} as {context}: {exc!r}") from exc
    if response.streaming:
        b"".join(response.streaming_content)
    assert response.status_code < 500, (method.upper(), url, data, context, response.status_code)
    return response


def _variants(names, form=()):
    yield {}
    for name in names:
        for value in HOSTILE:
            yield {name: value}
    for name in form:
        for value in FORM_HOSTILE:
            yield {name: value}
    if names or form:
        yield {name: "²" for name in (*names, *form)}  # all at once
        yield {"\x00": "1", "k" * 300: "1"}  # hostile keys


@pytest.mark.parametrize("name", sorted(READS))
def test_hostile_parameters_never_answer_5xx(world, name):
    """What it checks: no 5xx and no exception, whatever the parameter (a junk filter may
    well be ignored with a 200; the pages' own tests hold what each answers)."""
    reads = READS[name]
    url = reverse(name, args=_args(name, world))
    for role in _roles(name):
        client = sign_in(Client(), world, role)
        for data in _variants(reads.get):
            _send(client, "get", url, data, role)
        for base in reads.bases:
            for data in _variants(reads.post, reads.form):
                _send(client, "post", url, {**base, **data}, role)
    named = {("GET", n) for n in reads.get} | {("POST", n) for n in reads.post}
    unnamed = sorted(RECORDED - named)
    assert not unnamed, f"{name} reads parameters READS does not name: {unnamed}"


SENTINEL = 700000001


def _routes(patterns=None, namespace="", prefix=""):
    """(URL name, route) of every named pattern: ``cases:detail``, ``cases/<id:pk>/``."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, inner, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", route


WITH_IDS = sorted({name for name, route in _routes() if "<id:" in route and name in READS})


def test_every_id_in_a_path_is_an_id_converter():
    """``<int:…>`` takes any number of digits (a lookup beyond 64 bits was a 500), ``\\d``
    in a regex any script's digits: every id goes through ``<id:…>`` (core.converters)."""
    loose = sorted((name, route) for name, route in _routes() if "<int:" in route or "\\d" in route)
    assert not loose, loose


@pytest.mark.parametrize("name", WITH_IDS)
def test_ids_that_cannot_exist_in_a_path_answer_404(world, name):
    args = _args(name, world)
    ids = [i for i, arg in enumerate(args) if isinstance(arg, int)]
    assert ids, args
    for position in ids:
        marked = [SENTINEL if i == position else arg for i, arg in enumerate(args)]
        template = reverse(name, args=marked)
        for role in ("anonymous", "voter", "staff"):
            client = sign_in(Client(), world, role)
            for value in PATH_IDS:
                url = template.replace(str(SENTINEL), quote(value))
                for method in ("get", "post"):
                    response = _send(client, method, url, {}, role)
                    assert response.status_code == 404, (method, url, role, response.status_code)


def test_every_url_names_the_parameters_it_reads():
    names = {n for n in url_names() if n.split(":")[0] not in NOT_PAGES}
    missing = sorted(names - set(READS))
    assert not missing, f"URLs without an entry in READS: {missing}"
    stale = sorted(set(READS) - names)
    assert not stale, f"Entries for URLs that no longer exist: {stale}"


def test_a_view_reading_an_unnamed_parameter_is_caught(world):
    """The recorder is not vacuous: the archive reads ``page``, which a shortened entry
    would not name."""
    client = Client()
    client.get(reverse("cases:archive"), {"page": "2"})
    assert ("GET", "page") in RECORDED and ("GET", "year") in RECORDED
    assert not any(source == "POST" for source, _key in RECORDED)
