"""The near-copy index: every case staff compare a submission with (all but drafts and
withdrawn cases), in brief, so that one case's closest others are found by a query instead of
re-reading the archive. Kept on save by cases.submission.neardup; read by the staff pages and,
for other districts' published cases, by ``neardup.closest_published_elsewhere``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .case import Case
from .district import District
from .round import Round


class NearCopyEntry(models.Model):
    """One indexed case: its MinHash sketch, and where it stands (denormalised, so that a
    query filters by round, district and state without touching the case's long row)."""

    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="near_copy_entry"
    )
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    district = models.ForeignKey(
        District, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Case.Status.choices)
    # A hash of the compared text: a save that leaves it alone keeps sketch, bands and pairs.
    fingerprint = models.CharField(max_length=40)
    sketch = models.BinaryField()
    # The closest other indexed case when this one was last compared (or a later case found
    # closer): what the dashboard shows below NEAR_COPY. Pairs at or above it are exact rows.
    best = models.ForeignKey(
        Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    best_score = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("查重索引")
        verbose_name_plural = _("查重索引")

    def __str__(self):
        return f"{self.case_id}"


class NearCopyBand(models.Model):
    """One band of an entry's sketch (several bins hashed together): two texts sharing a band
    are candidates. Near-copies share many (Jaccard 0.8: about 13 of 32), others rarely."""

    entry = models.ForeignKey(NearCopyEntry, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "entry"], name="cases_nearcopyband_key")]
        verbose_name = _("查重索引分段")
        verbose_name_plural = _("查重索引分段")

    def __str__(self):
        return f"{self.entry_id}: {self.key}"


class NearCopyPair(models.Model):
    """Two indexed cases whose texts score at or above NEAR_COPY (exact Jaccard), ``low`` the
    smaller id. Found when either is saved; staff may mark it "not a copy" (it stays listed)."""

    low = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField(_("相似度"))
    found_at = models.DateTimeField(_("发现时间"))
    not_a_copy = models.BooleanField(_("已确认不是重复"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    marked_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["low", "high"], name="cases_nearcopypair_once"),
            models.CheckConstraint(
                condition=models.Q(low__lt=models.F("high")), name="cases_nearcopypair_ordered"
            ),
        ]
        verbose_name = _("疑似重复案例")
        verbose_name_plural = _("疑似重复案例")

    def __str__(self):
        return f"{self.low_id} ~ {self.high_id}: {self.score:.2f}"

    def other(self, case_id: int) -> int:
        return self.high_id if self.low_id == case_id else self.low_id
