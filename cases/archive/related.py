"""Related cases for the public case page, from an index kept as cases change.

The page used to compare a case with every published case on each view (about 36 s at
20,000 cases). Now ``refresh_related`` keeps, for each published case, the published cases
most like it (``RelatedCases``), and the page reads that list: two queries, no comparison.

- Up to ``EXACT_UP_TO`` published cases (the real archive gains about 21 a year) every pair is
  compared exactly (trigram Jaccard, cases.submission.similarity): each list is what
  ``similar_cases`` gives, ties in the same order.
- Beyond that, each case's MinHash sketch is filed under its bins (an inverted index held in
  memory for the run); a case's candidates are those sharing the most bins, ranked by the
  estimated Jaccard. A change recomputes only what it can touch: the changed cases, the lists
  that name a changed or removed case, and the cases a changed case now scores into.

Idempotent, so the task queued after a change, the recovery sweep and the bench all call it.
"""

import hashlib
from array import array
from collections import Counter, defaultdict

from django.db import transaction

from cases.models import Case, RelatedCases
from cases.submission import similarity

LIMIT = 5
EXACT_UP_TO = 500
SHORTLIST = 20  # candidates by shared bins, re-ranked by the estimate
ROWS = 4  # bins per band: a pair with Jaccard 0.5 shares a band with p = 0.87, 0.1 with 0.003
BUCKET_CAP = 200  # members of one bin or band counted per case
FULL_REBUILD_SHARE = 0.05  # more changed than this share of the archive: rebuild every list
TEXT_FIELDS = ("id", "title", "subtitle", "sections", "summary", "updated_at")
BATCH = 500


def related_to(case, limit: int = LIMIT) -> list:
    """The published cases most like ``case``, best first, from the index (empty until the
    index has seen the case)."""
    row = RelatedCases.objects.filter(case_id=case.pk).values_list("related", flat=True).first()
    ids = [pk for pk, _score in row or []][:limit]
    if not ids:
        return []
    found = Case.objects.published().filter(pk__in=ids).select_related("round", "district")
    by_id = {c.pk: c for c in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def pack(sketch: list[int]) -> bytes:
    return array("I", sketch).tobytes()


def unpack(data) -> array:
    values = array("I")
    values.frombytes(bytes(data))
    return values


def refresh_related(now=None) -> int:
    """Bring the index up to date with the published archive; the number of cases whose list
    changed."""
    order = list(Case.objects.published().values_list("pk", "updated_at"))  # the tie order
    published = dict(order)
    known = {
        pk: (fp, seen)
        for pk, fp, seen in RelatedCases.objects.values_list(
            "case_id", "fingerprint", "text_updated_at"
        )
    }
    removed = set(known) - published.keys()
    unread = [pk for pk, updated in order if pk not in known or known[pk][1] != updated]
    changed = _read_texts(unread, known)
    if removed:
        RelatedCases.objects.filter(case_id__in=removed).delete()
    if not changed and not removed:
        return 0
    ranks = {pk: i for i, (pk, _updated) in enumerate(order)}
    if len(order) <= EXACT_UP_TO:
        lists = _exact_lists([pk for pk, _ in order])
    else:
        lists = _sketch_lists(ranks, changed, removed)
    return _store_lists(lists)


def _read_texts(pks, known) -> set:
    """Read the texts of ``pks``; file a new sketch for those whose text changed (or is new).
    Returns the changed ones."""
    changed = set()
    for start in range(0, len(pks), BATCH):
        batch = Case.objects.filter(pk__in=pks[start : start + BATCH]).only(*TEXT_FIELDS)
        new, updated, touched = [], [], []
        for case in batch:
            text = similarity.case_text(case)
            fp = fingerprint(text)
            if case.pk in known and known[case.pk][0] == fp:
                touched.append(RelatedCases(case_id=case.pk, text_updated_at=case.updated_at))
                continue
            row = RelatedCases(
                case_id=case.pk,
                fingerprint=fp,
                text_updated_at=case.updated_at,
                sketch=pack(similarity.sketch(similarity.shingles(text))),
            )
            (updated if case.pk in known else new).append(row)
            changed.add(case.pk)
        with transaction.atomic():
            RelatedCases.objects.bulk_create(new, ignore_conflicts=True)
            RelatedCases.objects.bulk_update(
                updated, ["fingerprint", "text_updated_at", "sketch"], batch_size=BATCH
            )
            RelatedCases.objects.bulk_update(touched, ["text_updated_at"], batch_size=BATCH)
    return changed


def _exact_lists(pks: list[int]) -> dict[int, list]:
    """Every list, by comparing every pair exactly (small archives)."""
    texts = {}
    for start in range(0, len(pks), BATCH):
        for case in Case.objects.filter(pk__in=pks[start : start + BATCH]).only(*TEXT_FIELDS):
            texts[case.pk] = similarity.shingles(similarity.case_text(case))
    index = {pk: texts[pk] for pk in pks if pk in texts}  # in the tie order
    lists = {}
    for pk, grams in index.items():
        others = {other: g for other, g in index.items() if other != pk}
        lists[pk] = [[o, s] for o, s in similarity.most_similar(grams, others, LIMIT)]
    return lists


def _sketch_lists(ranks, changed, removed) -> dict[int, list]:
    stored = dict(RelatedCases.objects.values_list("case_id", "related"))
    touched = changed | removed
    if len(touched) <= FULL_REBUILD_SHARE * len(ranks) and any(stored.values()):
        lists = _indexed_lists(ranks, changed, touched, stored)
        if lists is not None:
            return lists
    sketches = {
        pk: unpack(data)
        for pk, data in RelatedCases.objects.filter(case_id__in=ranks).values_list(
            "case_id", "sketch"
        )
    }
    buckets, bands = defaultdict(list), defaultdict(list)
    for pk in sorted(sketches, key=ranks.__getitem__):
        for key in _band_keys(sketches[pk]):
            bands[key].append(pk)
        for slot, value in enumerate(sketches[pk]):
            if value != similarity.EMPTY_BIN:
                buckets[slot << 32 | value].append(pk)

    def shared(pk) -> Counter:
        # Cases sharing a whole band (ROWS bins at once) first: likely alike, and few. Cases
        # sharing single bins only when bands give too few. Each bucket counts at most
        # BUCKET_CAP members (the first in the tie order): in an archive of look-alike texts
        # every bin is shared by thousands, and counting them all made a full build of
        # 20,000 cases run for hours.
        counts = Counter()
        for key in _band_keys(sketches[pk]):
            counts.update(bands[key][:BUCKET_CAP])
        counts.pop(pk, None)
        if len(counts) < SHORTLIST:
            for slot, value in enumerate(sketches[pk]):
                if value != similarity.EMPTY_BIN:
                    counts.update(buckets[slot << 32 | value][:BUCKET_CAP])
            counts.pop(pk, None)
        return counts

    def best(pk) -> list:
        # most_common is heapq.nlargest in C: a few milliseconds over 20,000 candidates.
        shortlist = shared(pk).most_common(SHORTLIST)
        scored = [(o, similarity.estimate(sketches[pk], sketches[o])) for o, _n in shortlist]
        scored.sort(key=lambda item: (-item[1], ranks[item[0]]))
        return [[o, round(s, 4)] for o, s in scored if s > 0][:LIMIT]

    if len(touched) > FULL_REBUILD_SHARE * len(ranks) or not any(stored.values()):
        return {pk: best(pk) for pk in sketches}
    affected = set(changed)
    for pk, related in stored.items():
        if any(other in touched for other, _score in related):
            affected.add(pk)
    for pk in changed:
        for other in shared(pk):
            related = stored.get(other) or []
            if (
                len(related) < LIMIT
                or similarity.estimate(sketches[pk], sketches[other]) >= related[-1][1]
            ):
                affected.add(other)
    return {pk: best(pk) for pk in affected if pk in sketches}


def _indexed_lists(ranks, changed, touched, stored) -> dict[int, list] | None:
    """After a few changes: the lists to recompute, each from the near-copy index's bands
    (cases.submission.neardup, kept on save) instead of every published case's sketch read
    into memory (9.8 s at 20,000 cases). None when the index does not hold every changed
    case (not built yet): the caller then reads all sketches."""
    from cases.models import NearCopyEntry
    from cases.submission import neardup

    filed = set(NearCopyEntry.objects.filter(case_id__in=changed).values_list("case_id", flat=True))
    if filed != set(changed):
        return None
    sketches = {}

    def sketches_of(pks):
        wanted = [pk for pk in pks if pk not in sketches]
        for start in range(0, len(wanted), BATCH):
            rows = RelatedCases.objects.filter(case_id__in=wanted[start : start + BATCH])
            for pk, data in rows.values_list("case_id", "sketch"):
                sketches[pk] = unpack(data)

    def candidates(pk) -> list[int]:
        return [
            o
            for o in neardup.published_candidates(sketches[pk], exclude_pk=pk, limit=SHORTLIST)
            if o in ranks
        ]

    def best(pk) -> list:
        shortlist = candidates(pk)
        sketches_of(shortlist)
        scored = [(o, similarity.estimate(sketches[pk], sketches[o])) for o in shortlist]
        scored.sort(key=lambda item: (-item[1], ranks[item[0]]))
        found = [[o, round(s, 4)] for o, s in scored if s > 0][:LIMIT]
        # A case sharing no band with enough others keeps what it had, less what left.
        kept = [[o, s] for o, s in stored.get(pk) or [] if o in ranks and o not in touched]
        for other, score in kept:
            if len(found) >= LIMIT:
                break
            if other not in {o for o, _s in found}:
                found.append([other, score])
        return found

    affected = set(changed)
    for pk, related in stored.items():
        if any(other in touched for other, _score in related):
            affected.add(pk)
    sketches_of(list(changed))
    for pk in changed:
        for other in candidates(pk):
            related = stored.get(other) or []
            sketches_of([other])
            if other in sketches and (
                len(related) < LIMIT
                or similarity.estimate(sketches[pk], sketches[other]) >= related[-1][1]
            ):
                affected.add(other)
    sketches_of(list(affected))
    return {pk: best(pk) for pk in affected if pk in sketches}


def _band_keys(sketch) -> list[int]:
    """One key per band of ROWS consecutive bins (bands with an empty bin are skipped)."""
    keys = []
    for band in range(0, len(sketch), ROWS):
        values = tuple(sketch[band : band + ROWS])
        if similarity.EMPTY_BIN not in values:
            keys.append(hash((band, values)))
    return keys


def _store_lists(lists: dict[int, list]) -> int:
    stored = dict(RelatedCases.objects.filter(case_id__in=lists).values_list("case_id", "related"))
    rows = [
        RelatedCases(case_id=pk, related=related)
        for pk, related in lists.items()
        if stored.get(pk) != related
    ]
    RelatedCases.objects.bulk_update(rows, ["related"], batch_size=BATCH)
    return len(rows)
