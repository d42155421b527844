"""What the public reads of adoptions: confirmed records only, both ways from a case."""

from cases.models import Adoption, Case


def taken_up_by(case: Case) -> list[Adoption]:
    """The confirmed records of districts that took up ``case``'s practice, earliest first;
    each carries ``public_own_case`` (the adopting district's own case when it is published)."""
    if case.status != Case.Status.PUBLISHED:
        return []
    records = list(
        Adoption.objects.confirmed()
        .filter(source=case)
        .select_related("district")
        .order_by("since", "district__order", "id")
    )
    own_ids = [r.own_case_id for r in records if r.own_case_id]
    published = {c.pk: c for c in Case.objects.published().filter(pk__in=own_ids).only("title")}
    for record in records:
        record.public_own_case = published.get(record.own_case_id)
    return records


def adopted_from(case: Case) -> list[Adoption]:
    """The confirmed records naming ``case`` as the district's own later case: "借鉴自 …"."""
    return list(
        Adoption.objects.confirmed()
        .filter(own_case=case, source__in=Case.objects.published())
        .select_related("source", "source__round", "source__district")
        .order_by("since", "id")
    )
