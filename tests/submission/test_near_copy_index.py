"""The near-copy index (cases.submission.neardup) against the exhaustive comparison: near-copies
planted among the 2022 cases (edited paragraphs, reordered sections, full-width text,
traditional characters) are found with the same figures, whichever way the index was built."""

import opencc
import pytest
from django.urls import reverse

from cases.models import Case, District, NearCopyEntry, NearCopyPair, Round
from cases.submission import neardup, similarity
from tests.submission.test_similarity import notice_chunks

NEAR = similarity.NEAR_COPY
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)} | {" ": "\u3000"})


def make(round_, district, status, title, sections):
    return Case.objects.create(
        round=round_, district=district, title=title, sections=sections, status=status
    )


def sections_of(lines, parts=3):
    """The chunk's body cut in ``parts`` sections, as an officer's form would hold it."""
    body = lines[1:]
    step = max(1, len(body) // parts)
    cut = [body[i : i + step] for i in range(0, len(body), step)]
    return [{"heading": f"第{i + 1}部分", "body": "\n".join(part)} for i, part in enumerate(cut)]


def edited(sections):
    """Every seventh line rewritten: a paragraph edited here and there."""
    out = []
    for section in sections:
        lines = section["body"].split("\n")
        lines = [
            "本区在此基础上进一步完善了相关工作机制。" if i % 7 == 2 else line
            for i, line in enumerate(lines)
        ]
        out.append({"heading": section["heading"], "body": "\n".join(lines)})
    return out


@pytest.fixture
def planted(db):
    """The 2022 cases published (the notice's printed duplicate once), and in this year's
    round near-copies of some of them in every state the check compares, from two districts."""
    districts = list(District.objects.order_by("pk"))
    archive = Round.objects.create(year=2022, title="2022 年度", status=Round.Status.PUBLISHED)
    current = Round.objects.create(year=2024, title="2024 年度", status=Round.Status.SUBMISSION)
    chunks = notice_chunks()
    originals = {}
    for n, (start, lines) in enumerate(chunks.items()):
        if start == 491:
            continue
        originals[start] = make(
            archive,
            districts[n % len(districts)],
            Case.Status.PUBLISHED,
            lines[0],
            sections_of(lines),
        )
    starts = sorted(originals)
    to_trad = opencc.OpenCC("s2t").convert
    a, b = districts[0], districts[1]
    plants = {}

    def plant(name, source, status, district, title, sections):
        plants[name] = make(current, district, status, title, sections)
        plants[name]._source = originals[source]

    s = {k: sections_of(chunks[k]) for k in starts}
    t = {k: chunks[k][0] for k in starts}
    plant("edited", starts[0], Case.Status.SUBMITTED, a, t[starts[0]], edited(s[starts[0]]))
    plant("reordered", starts[1], Case.Status.SUBMITTED, b, t[starts[1]], s[starts[1]][::-1])
    plant(
        "full width",
        starts[2],
        Case.Status.RETURNED,
        a,
        t[starts[2]].translate(FULL_WIDTH),
        [{"heading": x["heading"], "body": x["body"].translate(FULL_WIDTH)} for x in s[starts[2]]],
    )
    plant(
        "traditional",
        starts[3],
        Case.Status.ACCEPTED,
        b,
        to_trad(t[starts[3]]),
        [{"heading": x["heading"], "body": to_trad(x["body"])} for x in s[starts[3]]],
    )
    plant(
        "all at once",
        starts[5],
        Case.Status.REJECTED,
        a,
        to_trad(t[starts[5]]),
        [
            {"heading": x["heading"], "body": to_trad(x["body"]).translate(FULL_WIDTH)}
            for x in edited(s[starts[5]])[::-1]
        ],
    )
    plant("twice", starts[0], Case.Status.SUBMITTED, b, t[starts[0]], s[starts[0]][::-1])
    # Not compared: a draft and a withdrawn copy.
    make(current, a, Case.Status.DRAFT, t[starts[6]], s[starts[6]])
    make(current, a, Case.Status.WITHDRAWN, t[starts[7]], s[starts[7]])
    return originals, plants


def near(found):
    return [(case.pk, score) for case, score in found if score >= NEAR]


def test_every_planted_copy_is_a_near_copy_of_its_source(planted):
    _originals, plants = planted
    for name, case in plants.items():
        best, score = similarity.exhaustive_matches(case, 1)[0]
        assert best == case._source, name
        assert score >= NEAR, name
    edited_score = similarity.similarity(
        similarity.case_text(plants["edited"]), similarity.case_text(plants["edited"]._source)
    )
    assert edited_score < 0.95  # a real edit, not a copy


def test_the_index_finds_what_the_exhaustive_check_finds(planted):
    every = Case.objects.exclude(status=Case.Status.DRAFT)
    for case in every:
        exhaustive = similarity.exhaustive_matches(case, 20)
        indexed = neardup.submission_matches(case, 20)
        assert near(indexed) == near(exhaustive), case.title
        if exhaustive and exhaustive[0][1] >= NEAR:
            assert indexed[0] == exhaustive[0]


def test_traditional_and_full_width_copies_score_as_the_simplified_text(planted):
    _originals, plants = planted
    for name in ("full width", "traditional"):
        case = plants[name]
        assert similarity.exhaustive_matches(case, 1)[0][1] > 0.99
        assert neardup.submission_matches(case, 1)[0][1] > 0.99


def test_the_dashboard_shows_the_same_near_copies_with_the_same_figures(planted):
    cases = list(Case.objects.exclude(status=Case.Status.DRAFT))
    exhaustive = similarity.exhaustive_best_matches(cases)
    indexed = neardup.best_matches(cases)
    for case in cases:
        expected = exhaustive.get(case.pk)
        if expected and expected[1] >= NEAR:
            assert indexed[case.pk][1] == expected[1], case.title
            tied = [c for c, s in similarity.exhaustive_matches(case, 20) if s == expected[1]]
            assert indexed[case.pk][0] in tied
        elif case.pk in indexed:
            assert indexed[case.pk][1] < NEAR


def stored_pairs():
    return {(p.low_id, p.high_id): p.score for p in NearCopyPair.objects.all()}


def exhaustive_pairs():
    pairs = {}
    for case in Case.objects.exclude(status__in=neardup.LEFT_OUT):
        for other, score in similarity.exhaustive_matches(case, 50):
            if score >= NEAR:
                pairs[(min(case.pk, other.pk), max(case.pk, other.pk))] = score
    return pairs


def test_pairs_kept_on_save_and_rebuilt_at_once_are_the_exhaustive_ones(planted):
    _originals, plants = planted
    expected = exhaustive_pairs()
    for case in plants.values():
        assert (min(case.pk, case._source.pk), max(case.pk, case._source.pk)) in expected
    assert stored_pairs() == expected
    assert neardup.rebuild() == Case.objects.exclude(status__in=neardup.LEFT_OUT).count()
    assert stored_pairs() == expected
    cases = list(Case.objects.exclude(status=Case.Status.DRAFT))
    exhaustive = similarity.exhaustive_best_matches(cases)
    indexed = neardup.best_matches(cases)
    for case in cases:
        if exhaustive.get(case.pk, (None, 0))[1] >= NEAR:
            assert indexed[case.pk][1] == exhaustive[case.pk][1]


def test_drafts_and_withdrawn_cases_are_not_indexed_and_leave_it_when_withdrawn(planted):
    _originals, plants = planted
    assert not NearCopyEntry.objects.filter(
        case__status__in=[Case.Status.DRAFT, Case.Status.WITHDRAWN]
    ).exists()
    case = plants["edited"]
    source = case._source
    case.status = Case.Status.WITHDRAWN
    case.save()
    assert not NearCopyEntry.objects.filter(case=case).exists()
    assert case not in [c for c, _s in neardup.submission_matches(source, 20)]
    assert (
        not NearCopyPair.objects.filter(low=min(case.pk, source.pk, key=int))
        .filter(high=max(case.pk, source.pk))
        .exists()
    )


def test_an_edit_that_removes_the_copy_removes_the_pair(planted):
    _originals, plants = planted
    case = plants["reordered"]
    source = case._source
    assert (source, pytest.approx(1, abs=0.05)) in neardup.submission_matches(case, 1)
    case.title = "全新的案例"
    case.sections = [{"heading": "", "body": "完全不同的文字，讲述另一件事情。" * 3}]
    case.save()
    assert not [s for _c, s in neardup.submission_matches(case, 5) if s >= NEAR]
    pks = {case.pk, source.pk}
    assert not [p for p in stored_pairs() if set(p) == pks]


def test_closest_published_elsewhere_leaves_out_the_own_district_and_unpublished(planted):
    originals, plants = planted
    case = plants["twice"]  # district b; its source was printed in 2022
    found = neardup.closest_published_elsewhere(case, limit=10)
    assert found
    assert all(c.status == Case.Status.PUBLISHED for c, _s in found)
    assert all(c.district_id != case.district_id for c, _s in found)
    source = case._source
    if source.district_id != case.district_id:
        assert found[0][0] == source
    same = Case.objects.get(pk=source.pk)
    same.district_id = case.district_id
    same.save()
    assert same not in [c for c, _s in neardup.closest_published_elsewhere(case, limit=10)]


# --- What staff see -----------------------------------------------------------------------------


def test_staff_mark_a_pair_not_a_copy_and_it_stays_listed_marked(client, staff, planted):
    _originals, plants = planted
    case = plants["edited"]
    source = case._source
    client.force_login(staff)
    page = client.get(reverse("cases:staff_case", args=[case.pk]))
    assert source in [c for c, _s in page.context["matches"]]
    response = client.post(
        reverse("cases:staff_case_not_a_copy", args=[case.pk]), {"other": str(source.pk)}
    )
    assert response.status_code == 302
    pair = NearCopyPair.objects.get(low=min(case.pk, source.pk), high=max(case.pk, source.pk))
    assert pair.not_a_copy and pair.marked_by == staff
    page = client.get(reverse("cases:staff_case", args=[case.pk]))
    assert source in [c for c, _s in page.context["matches"]]
    assert source.pk in page.context["not_a_copy"]
    assert "已确认不是重复" in page.content.decode()
    # and undone
    client.post(
        reverse("cases:staff_case_not_a_copy", args=[case.pk]),
        {"other": str(source.pk), "undo": "1"},
    )
    pair.refresh_from_db()
    assert not pair.not_a_copy


def test_marking_an_unknown_pair_says_so(client, staff, planted):
    _originals, plants = planted
    case = plants["edited"]
    client.force_login(staff)
    for other in ["99999999", "abc", ""]:
        response = client.post(
            reverse("cases:staff_case_not_a_copy", args=[case.pk]), {"other": other}, follow=True
        )
        assert response.status_code == 200
        assert "没有这对疑似重复的案例" in response.content.decode()


def test_a_copy_found_after_check_in_shows_on_the_dashboard(client, staff, planted):
    originals, plants = planted
    checked = plants["traditional"]  # accepted: staff have checked it in
    current = checked.round
    client.force_login(staff)
    row = dashboard_row(client, current, checked)
    assert row.best_match[1] >= NEAR and not row.late_copy
    # A later submission copies the accepted case: found when it is saved.
    copy = make(
        current,
        checked.district,
        Case.Status.SUBMITTED,
        checked.title,
        checked.sections[::-1],
    )
    checked.transitions.create(from_status="submitted", to_status="accepted")
    make(current, copy.district, Case.Status.SUBMITTED, "另一份", checked.sections)
    row = dashboard_row(client, current, checked)
    assert row.late_copy
    assert not dashboard_row(client, current, copy).late_copy  # not checked in yet
    assert (
        "受理后发现"
        in client.get(reverse("cases:staff_dashboard"), {"round": current.pk}).content.decode()
    )


def dashboard_row(client, round_, case):
    response = client.get(reverse("cases:staff_dashboard"), {"round": round_.pk})
    assert response.status_code == 200
    return next(c for c in response.context["cases"] if c.pk == case.pk)


def test_the_rebuild_command_files_every_compared_case(planted):
    import io

    from django.core.management import call_command

    NearCopyEntry.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_near_copy_index", stdout=out)
    count = Case.objects.exclude(status__in=neardup.LEFT_OUT).count()
    assert f"已为 {count} 个案例建立查重索引" in out.getvalue()
    assert NearCopyEntry.objects.count() == count
