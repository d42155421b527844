"""The related-cases index: for each published case, what its text looks like in brief and
which published cases are most like it. Kept by cases.archive.related as cases change, read
by the public case page (one row, no comparison at request time)."""

from django.db import models

from .case import Case


class RelatedCases(models.Model):
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, primary_key=True, related_name="related_index"
    )
    # A hash of the compared text, and the case's updated_at when it was last read: a case
    # saved without a change to its text keeps its sketch.
    fingerprint = models.CharField(max_length=40)
    text_updated_at = models.DateTimeField(null=True)
    # MinHash of the text's character trigrams: one 32-bit minimum per bin (array "I").
    sketch = models.BinaryField()
    # [[case id, score], …], best first: the published cases most like this one.
    related = models.JSONField(default=list)

    class Meta:
        verbose_name = "相关案例索引"
        verbose_name_plural = "相关案例索引"

    def __str__(self):
        return f"{self.case_id}: {[pk for pk, _score in self.related]}"
