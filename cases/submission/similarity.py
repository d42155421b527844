"""How alike two case texts are: character shingles compared with the Jaccard index.

Chinese has no spaces between words, so the unit is the character: a text becomes the set of
its overlapping three-character runs ("shingles") after punctuation and whitespace are dropped.
Two texts share few trigrams by chance, even on the same topic ("营商环境" is one of many), while
a copy shares nearly all of them: a near-copy scores close to 1.0, an unrelated case near 0.

The first half of this module is pure (text in, numbers out). The ORM side at the bottom only
gathers texts: ``similar_cases`` for any page; staff checking a case ask the near-copy
index (cases.submission.neardup), ``exhaustive_matches`` compares every
text and is the reference the index is tested against.
"""

import re
import unicodedata
import zlib
from collections.abc import Iterable, Mapping

SHINGLE_SIZE = 3
# At or above this figure staff are told the text is (nearly) the same as another case.
NEAR_COPY = 0.8

# Everything but letters and digits: punctuation, full-width marks, whitespace, symbols.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


_T2S = None


def to_simplified(text: str) -> str:
    """Traditional characters written as simplified ones (OpenCC t2s): a case copied from a
    traditional-character source is still the same text."""
    global _T2S
    if _T2S is None:  # the dictionaries load once per process
        import opencc

        _T2S = opencc.OpenCC("t2s")
    return _T2S.convert(text)


def normalise(text: str) -> str:
    """Full-width folded, lower-cased, simplified characters, without punctuation or spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _NOT_WORD.sub("", to_simplified(text)) if text else ""


def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The set of overlapping ``size``-character runs of the normalised text."""
    chars = normalise(text)
    if len(chars) <= size:
        return frozenset([chars]) if chars else frozenset()
    return frozenset(chars[i : i + size] for i in range(len(chars) - size + 1))


def jaccard(a: frozenset, b: frozenset) -> float:
    """|a ∩ b| / |a ∪ b|: 1.0 for the same set, 0.0 for disjoint or empty sets."""
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


def similarity(text_a: str, text_b: str) -> float:
    return jaccard(shingles(text_a), shingles(text_b))


def most_similar(
    target: frozenset, index: Mapping[object, frozenset], limit: int = 5
) -> list[tuple[object, float]]:
    """The ``limit`` keys of ``index`` whose shingle sets are closest to ``target``, best first.

    Ties keep the order of ``index``; keys scoring 0 are left out.
    """
    scored = [(key, jaccard(target, other)) for key, other in index.items()]
    scored = [item for item in scored if item[1] > 0]
    scored.sort(key=lambda item: item[1], reverse=True)
    return scored[:limit]


def build_index(texts: Iterable[tuple[object, str]]) -> dict[object, frozenset]:
    return {key: shingles(text) for key, text in texts}


# MinHash in one pass ("one permutation"): each shingle is hashed once (CRC-32, spread over 64
# bits by a multiplicative constant); the hash's top bits pick a bin and each bin keeps its
# smallest value. Two texts agree on a bin with a probability equal to their Jaccard index,
# so the share of agreeing bins estimates it. (CRC-32 rather than a cryptographic hash: four
# times faster, and stable across processes, unlike hash().)
SKETCH_BINS = 128  # a power of two
EMPTY_BIN = 0xFFFFFFFF  # no shingle fell in this bin (short texts)
_SPREAD = 0x9E3779B97F4A7C15
_BIN_SHIFT = 64 - (SKETCH_BINS.bit_length() - 1)


def sketch(grams: frozenset[str]) -> list[int]:
    mins = [EMPTY_BIN] * SKETCH_BINS
    crc = zlib.crc32
    for gram in grams:
        spread = (crc(gram.encode("utf-8")) * _SPREAD) & 0xFFFFFFFFFFFFFFFF
        slot, value = spread >> _BIN_SHIFT, spread & 0xFFFFFFFF
        if value < mins[slot]:
            mins[slot] = value
    return mins


def estimate(a, b) -> float:
    """The Jaccard index of the two texts behind sketches ``a`` and ``b``, estimated."""
    agree = used = 0
    for x, y in zip(a, b, strict=True):
        if x != EMPTY_BIN or y != EMPTY_BIN:
            used += 1
            agree += x == y
    return agree / used if used else 0.0


# --- ORM side: gathering the texts to compare -----------------------------------------------


def case_text(case) -> str:
    """What is compared: title, subtitle, summary and body."""
    return "\n".join(p for p in (case.build_search_text(), case.summary) if p)


def _rank(case, candidates, limit):
    candidates = list(candidates.exclude(pk=case.pk).select_related("round", "district"))
    index = build_index((c, case_text(c)) for c in candidates)
    return most_similar(shingles(case_text(case)), index, limit)


def similar_cases(case, limit: int = 5, candidates=None) -> list[tuple[object, float]]:
    """(case, score) pairs most like ``case``, best first.

    By default only published cases are candidates, so the public archive can show related
    cases without revealing anything unpublished; pass ``candidates`` to widen the search.
    """
    from cases.models import Case

    if candidates is None:
        candidates = Case.objects.published()
    return _rank(case, candidates, limit)


def submission_candidates():
    """Every case staff compare a submission with: this round's and past rounds' cases
    (the published archive included), drafts and withdrawn cases left out."""
    from cases.models import Case

    return Case.objects.exclude(status__in=[Case.Status.DRAFT, Case.Status.WITHDRAWN])


# --- The exhaustive check: every candidate's text compared (the reference for the index) ------


def exhaustive_matches(case, limit: int = 5) -> list[tuple[object, float]]:
    return similar_cases(case, limit=limit, candidates=submission_candidates())


def exhaustive_best_matches(cases) -> dict[int, tuple[object, float]]:
    """For each of ``cases``, its closest other case among the submission candidates, or
    nothing when none shares a shingle. Builds the index once for the whole list."""
    candidates = list(submission_candidates().select_related("round", "district"))
    index = build_index((c, case_text(c)) for c in candidates)
    result = {}
    for case in cases:
        own = {c: s for c, s in index.items() if c.pk != case.pk}
        found = most_similar(shingles(case_text(case)), own, 1)
        if found:
            result[case.pk] = found[0]
    return result
