"""The near-copy check from a persistent index (cases.models.neardup).

Comparing a submission with every earlier case re-shingled the whole archive on each view of
the staff page (36–66 s and 7 GB at 20,000 cases). Now every case that is not a draft or
withdrawn has, from its last save, a MinHash sketch cut into bands (``NearCopyBand``). A
case's candidates are the cases sharing the most bands with it, found by one indexed query
(filtered by round, district or state where asked); only those few are compared exactly
(trigram Jaccard, cases.submission.similarity), so every figure shown is the exact one.

Why the figures at or above NEAR_COPY are the exhaustive check's: two texts with Jaccard
0.8 agree on a bin with probability 0.8, on a band of ROWS = 4 bins with 0.41, so they share
no band of BANDS = 32 with probability 0.59^32 < 10^-7; and they share about 13 bands where
unrelated texts share about none, so they rank among the first CANDIDATES. The planted test
(tests/submission/test_near_copy_index.py) checks this against the exhaustive comparison.

Kept on save (``case_saved``): a case whose text, state, round or district changed is
re-filed and compared once; pairs at or above NEAR_COPY are stored (``NearCopyPair``) with
the time they were found, so a copy that turns up after a case was checked in shows on the
dashboard. ``rebuild`` files the whole archive at once (``manage.py rebuild_near_copy_index``).
"""

import hashlib
from array import array
from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.signals import post_save
from django.utils import timezone

from cases.models import Case, NearCopyBand, NearCopyEntry, NearCopyPair, Round
from cases.submission import similarity

ROWS = 4  # bins per band
BANDS = similarity.SKETCH_BINS // ROWS
CANDIDATES = 50  # cases estimated per query, those sharing the most bands
KEEP = 5  # of those, the closest by estimate compared exactly (with any near NEAR_COPY)
ESTIMATE_MARGIN = 0.2
BATCH = 500
# Cases in these states are never compared (nor indexed): private drafts, withdrawn cases.
LEFT_OUT = (Case.Status.DRAFT, Case.Status.WITHDRAWN)
# A save touching none of these cannot change the index (a vote count, a rank).
INDEXED_FIELDS = {"title", "subtitle", "sections", "summary", "status", "round", "district"}
PUBLISHED = Q(entry__status=Case.Status.PUBLISHED) & Q(entry__round__status=Round.Status.PUBLISHED)
TEXT_FIELDS = ("id", "title", "subtitle", "sections", "summary", "round_id", "district_id")


def is_indexed(case) -> bool:
    return case.status not in LEFT_OUT


def fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def band_keys(sketch) -> list[int]:
    """One signed 64-bit key per band of ROWS bins (bands with no shingle at all are left
    out: every short text would share them). Stable across processes (BLAKE2b)."""
    keys = []
    for start in range(0, len(sketch), ROWS):
        values = array("I", sketch[start : start + ROWS])
        if all(v == similarity.EMPTY_BIN for v in values):
            continue
        digest = hashlib.blake2b(
            start.to_bytes(2, "little") + values.tobytes(), digest_size=8
        ).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def pack(sketch) -> bytes:
    return array("I", sketch).tobytes()


def unpack(data) -> array:
    values = array("I")
    values.frombytes(bytes(data))
    return values


class Filed:
    """A case's text as the index sees it: normalised shingles, sketch, bands."""

    def __init__(self, case):
        text = similarity.case_text(case)
        self.fingerprint = fingerprint(text)
        self.grams = similarity.shingles(text)
        self.sketch = similarity.sketch(self.grams)
        self.keys = band_keys(self.sketch)


# --- Queries ------------------------------------------------------------------------------------


def _candidate_ids(keys, *, exclude_pk, where: Q | None = None, limit=CANDIDATES) -> list[int]:
    """The indexed cases sharing the most bands with ``keys``, most first (ties by id)."""
    if not keys:
        return []
    rows = NearCopyBand.objects.filter(key__in=keys)
    if exclude_pk is not None:
        rows = rows.exclude(entry_id=exclude_pk)
    if where is not None:
        rows = rows.filter(where)
    rows = rows.values("entry_id").annotate(n=Count("id")).order_by("-n", "entry_id")[:limit]
    return [row["entry_id"] for row in rows]


def _score(filed, ids, limit=None) -> list[tuple[Case, float]]:
    """The cases ``ids`` with their exact Jaccard against ``filed``, best first; ties in the
    order the exhaustive check meets them (the cases' default order).

    Only some are compared exactly: those whose sketches estimate ESTIMATE_MARGIN below
    NEAR_COPY or higher (a pair at 0.8 estimates below 0.6 with probability < 10^-8: the
    estimate's deviation is 0.035 with 128 bins), and the ``KEEP`` estimated closest, for the
    list below NEAR_COPY (which may differ from the exhaustive one's)."""
    sketches = dict(NearCopyEntry.objects.filter(case_id__in=ids).values_list("case_id", "sketch"))
    guesses = sorted(
        ((similarity.estimate(filed.sketch, unpack(data)), pk) for pk, data in sketches.items()),
        reverse=True,
    )
    chosen = {pk for guess, pk in guesses if guess >= similarity.NEAR_COPY - ESTIMATE_MARGIN}
    chosen |= {pk for _guess, pk in guesses[: max(KEEP, limit or 0)]}
    found = Case.objects.filter(pk__in=chosen).select_related("round", "district")
    scored = [
        (other, similarity.jaccard(filed.grams, similarity.shingles(similarity.case_text(other))))
        for other in found
    ]
    scored = [item for item in scored if item[1] > 0]
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:limit] if limit else scored


def _filed(case) -> Filed:
    return Filed(case)


def matches(case, limit: int = 5) -> list[tuple[Case, float]]:
    """The cases most like ``case`` among all that are not drafts or withdrawn, best first,
    with exact figures: what staff see when checking a submission."""
    filed = _filed(case)
    return _score(filed, _candidate_ids(filed.keys, exclude_pk=case.pk), limit)


submission_matches = matches


def closest_published_elsewhere(case, limit: int = 5, min_score: float = 0.0):
    """Published cases (of published rounds) of districts other than ``case``'s that are most
    like it, best first, with exact figures of at least ``min_score``: the question 互学互鉴
    asks of a new case (cases without a district count as another district)."""
    filed = _filed(case)
    where = PUBLISHED
    if case.district_id is not None:
        where &= ~Q(entry__district_id=case.district_id)
    ids = _candidate_ids(filed.keys, exclude_pk=case.pk, where=where)
    return [(c, s) for c, s in _score(filed, ids, limit) if s >= min_score]


def published_candidates(sketch, *, exclude_pk=None, limit=CANDIDATES) -> list[int]:
    """The published cases (of published rounds) sharing the most bands with ``sketch``, most
    first: the related-cases index (cases.archive.related) refreshes one case's list so."""
    return _candidate_ids(band_keys(sketch), exclude_pk=exclude_pk, where=PUBLISHED, limit=limit)


def pairs_of(case_ids) -> dict[int, list[NearCopyPair]]:
    """Each case's stored near-copy pairs (at or above NEAR_COPY), highest first."""
    pairs = defaultdict(list)
    ids = list(case_ids)
    for pair in NearCopyPair.objects.filter(Q(low_id__in=ids) | Q(high_id__in=ids)).order_by(
        "-score", "low_id", "high_id"
    ):
        for pk in (pair.low_id, pair.high_id):
            if pk in case_ids:
                pairs[pk].append(pair)
    return pairs


def best_matches(cases) -> dict[int, tuple[Case, float]]:
    """For each of ``cases``, its closest other case: the highest stored pair (exact, kept
    current) when there is one, else the closest case found when it was last compared.
    A case not in the index (withdrawn) is compared now; there are few."""
    cases = list(cases)
    ids = {case.pk for case in cases}
    pairs = pairs_of(ids)
    entries = {
        e.case_id: e
        for e in NearCopyEntry.objects.filter(case_id__in=ids).only(
            "case_id", "best_id", "best_score"
        )
    }
    wanted = {}
    for case in cases:
        if pairs.get(case.pk):
            pair = pairs[case.pk][0]
            wanted[case.pk] = (pair.other(case.pk), pair.score)
        elif case.pk in entries:
            entry = entries[case.pk]
            if entry.best_id is not None and entry.best_score < similarity.NEAR_COPY:
                wanted[case.pk] = (entry.best_id, entry.best_score)
    others = Case.objects.select_related("round", "district").in_bulk(
        {pk for pk, _score in wanted.values()}
    )
    result = {pk: (others[o], s) for pk, (o, s) in wanted.items() if o in others}
    for case in cases:
        if case.pk not in entries and case.pk not in result:
            found = matches(case, 1)
            if found:
                result[case.pk] = found[0]
    return result


def marked_not_a_copy(case) -> set[int]:
    """The ids of the cases staff have said ``case`` is not a copy of."""
    return {
        pair.other(case.pk)
        for pair in NearCopyPair.objects.filter(Q(low_id=case.pk) | Q(high_id=case.pk)).filter(
            not_a_copy=True
        )
    }


def mark_not_a_copy(*, case, other_id: int, user, not_a_copy: bool = True) -> bool:
    """Staff's word on a pair: not a copy (or a copy after all). False when there is no such
    pair (the texts were edited apart since)."""
    low, high = sorted((case.pk, other_id))
    updated = NearCopyPair.objects.filter(low_id=low, high_id=high).update(
        not_a_copy=not_a_copy,
        marked_by=user if not_a_copy else None,
        marked_at=timezone.now() if not_a_copy else None,
    )
    return bool(updated)


# --- Upkeep on save -----------------------------------------------------------------------------


def case_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:
        return
    if update_fields is not None and not INDEXED_FIELDS & set(update_fields):
        return
    refile(instance)


def connect() -> None:
    post_save.connect(case_saved, sender=Case, dispatch_uid="near-copy-index")


@transaction.atomic
def refile(case, now=None) -> None:
    """Bring ``case``'s entry, bands, pairs and best match up to date (idempotent)."""
    entry = NearCopyEntry.objects.filter(case_id=case.pk).first()
    if not is_indexed(case):
        if entry is not None:
            _remove(case.pk)
        return
    filed = Filed(case)
    place = {"round_id": case.round_id, "district_id": case.district_id, "status": case.status}
    if entry is not None and entry.fingerprint == filed.fingerprint:
        if any(getattr(entry, k) != v for k, v in place.items()):
            NearCopyEntry.objects.filter(case_id=case.pk).update(**place)
        return
    if entry is None:
        entry = NearCopyEntry(case_id=case.pk)
    for key, value in place.items():
        setattr(entry, key, value)
    entry.fingerprint, entry.sketch = filed.fingerprint, pack(filed.sketch)
    NearCopyBand.objects.filter(entry_id=case.pk).delete()
    scored = _score(filed, _candidate_ids(filed.keys, exclude_pk=case.pk))
    entry.best, entry.best_score = scored[0] if scored else (None, None)
    entry.save()
    NearCopyBand.objects.bulk_create(
        [NearCopyBand(entry_id=case.pk, key=key) for key in filed.keys]
    )
    _store_pairs(case.pk, {other.pk: score for other, score in scored}, now or timezone.now())
    _update_others_best(case.pk, {other.pk: score for other, score in scored})


def _store_pairs(pk: int, scores: dict[int, float], now) -> None:
    near = {other: s for other, s in scores.items() if s >= similarity.NEAR_COPY}
    existing = {
        pair.other(pk): pair for pair in NearCopyPair.objects.filter(Q(low_id=pk) | Q(high_id=pk))
    }
    gone = [pair.pk for other, pair in existing.items() if other not in near]
    NearCopyPair.objects.filter(pk__in=gone).delete()
    new, changed = [], []
    for other, score in near.items():
        if other in existing:
            if existing[other].score != score:
                existing[other].score = score
                changed.append(existing[other])
        else:
            low, high = sorted((pk, other))
            new.append(NearCopyPair(low_id=low, high_id=high, score=score, found_at=now))
    NearCopyPair.objects.bulk_create(new)
    NearCopyPair.objects.bulk_update(changed, ["score"])


def _update_others_best(pk: int, scores: dict[int, float]) -> None:
    """The cases just compared with ``pk`` may have found a closer case in it; those whose
    closest case was ``pk`` and are no longer close are compared again."""
    for entry in NearCopyEntry.objects.filter(Q(case_id__in=scores) | Q(best_id=pk)).only(
        "case_id", "best_id", "best_score"
    ):
        score = scores.get(entry.case_id)
        if score is not None and (
            entry.best_id == pk or entry.best_score is None or score > entry.best_score
        ):
            if entry.best_id == pk and score < entry.best_score:
                _recompare(entry.case_id)
            else:
                NearCopyEntry.objects.filter(case_id=entry.case_id).update(
                    best_id=pk, best_score=score
                )
        elif score is None and entry.best_id == pk:
            _recompare(entry.case_id)


def _recompare(pk: int) -> None:
    """Find ``pk``'s closest case again (its last one moved away or left the index)."""
    entry = NearCopyEntry.objects.filter(case_id=pk).first()
    case = Case.objects.filter(pk=pk).first()
    if entry is None or case is None:
        return
    filed = Filed(case)
    scored = _score(filed, _candidate_ids(filed.keys, exclude_pk=pk), 1)
    best, score = scored[0] if scored else (None, None)
    NearCopyEntry.objects.filter(case_id=pk).update(best=best, best_score=score)


def _remove(pk: int) -> None:
    NearCopyEntry.objects.filter(case_id=pk).delete()  # its bands with it
    NearCopyPair.objects.filter(Q(low_id=pk) | Q(high_id=pk)).delete()
    for other in NearCopyEntry.objects.filter(best_id=pk).values_list("case_id", flat=True):
        _recompare(other)


# --- The whole archive at once ------------------------------------------------------------------


def rebuild(now=None) -> int:
    """File every case that is not a draft or withdrawn, from scratch: each text read once
    and sketched, each case's candidates from the bands held in memory (the same ranking as
    the query), pairs near NEAR_COPY compared exactly, the closest case by estimate (exact
    when it was compared), then every row written at once. Returns the number filed."""
    now = now or timezone.now()
    filed = {}  # pk -> (round_id, district_id, status, fingerprint, sketch)
    pks = list(
        Case.objects.exclude(status__in=LEFT_OUT).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(pks), BATCH):
        for case in Case.objects.filter(pk__in=pks[start : start + BATCH]).only(
            *TEXT_FIELDS, "status"
        ):
            text = similarity.case_text(case)
            sketch = similarity.sketch(similarity.shingles(text))
            filed[case.pk] = (
                case.round_id,
                case.district_id,
                case.status,
                fingerprint(text),
                sketch,
            )
    order = sorted(filed)
    keys = {pk: band_keys(filed[pk][4]) for pk in order}
    members = defaultdict(list)
    for pk in order:
        for key in keys[pk]:
            members[key].append(pk)
    best, near = {}, set()
    for pk in order:
        counts = Counter()
        for key in keys[pk]:
            counts.update(members[key])
        counts.pop(pk, None)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:CANDIDATES]
        estimates = [(o, similarity.estimate(filed[pk][4], filed[o][4])) for o, _n in ranked]
        for other, guess in estimates:
            if guess >= similarity.NEAR_COPY - ESTIMATE_MARGIN:
                near.add((min(pk, other), max(pk, other)))
        if estimates:
            best[pk] = max(estimates, key=lambda item: item[1])
    exact = _exact_scores(near)
    entries = []
    for pk in order:
        round_id, district_id, status, fp, sketch = filed[pk]
        other, score = best.get(pk, (None, None))
        if other is not None:
            score = exact.get((min(pk, other), max(pk, other)), round(score, 4))
        entries.append(
            NearCopyEntry(
                case_id=pk,
                round_id=round_id,
                district_id=district_id,
                status=status,
                fingerprint=fp,
                sketch=pack(sketch),
                best_id=other,
                best_score=score,
            )
        )
    pairs = [
        NearCopyPair(low_id=low, high_id=high, score=score, found_at=now)
        for (low, high), score in sorted(exact.items())
        if score >= similarity.NEAR_COPY
    ]
    band_table = NearCopyBand._meta.db_table
    with transaction.atomic():
        NearCopyPair.objects.all().delete()
        NearCopyBand.objects.all().delete()
        NearCopyEntry.objects.all().delete()
        NearCopyEntry.objects.bulk_create(entries, batch_size=BATCH)
        NearCopyPair.objects.bulk_create(pairs, batch_size=BATCH)
        rows = [(pk, key) for pk in order for key in keys[pk]]
        with connection.cursor() as cursor:  # 32 rows a case: no model instances
            for start in range(0, len(rows), 5000):
                cursor.executemany(
                    f"INSERT INTO {band_table} (entry_id, key) VALUES (%s, %s)",
                    rows[start : start + 5000],
                )
    return len(order)


def _exact_scores(pairs) -> dict[tuple[int, int], float]:
    ids = sorted({pk for pair in pairs for pk in pair})
    grams = {}
    for start in range(0, len(ids), BATCH):
        for case in Case.objects.filter(pk__in=ids[start : start + BATCH]).only(*TEXT_FIELDS):
            grams[case.pk] = similarity.shingles(similarity.case_text(case))
    return {(a, b): similarity.jaccard(grams[a], grams[b]) for a, b in pairs}
