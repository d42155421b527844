"""Demo adoption records (互学互鉴) for `make run`: districts of the later demo rounds took up
some 2022 practices; confirmed, pending and returned ones, so that the officers' list, the
staff review and the public case pages all show something. Idempotent (one per pair)."""

import datetime

from cases.models import Adoption, Case, District, Round

# (source position in the 2022 list by notice order, adopting district, stage, status, since)
DEMO_ADOPTIONS = [
    (0, "jiading", Adoption.Stage.EFFECTIVE, Adoption.Status.CONFIRMED, (2023, 3, 1)),
    (0, "changning", Adoption.Stage.IMPLEMENTED, Adoption.Status.CONFIRMED, (2023, 6, 15)),
    (1, "pudong", Adoption.Stage.DEPLOYED, Adoption.Status.CONFIRMED, (2023, 9, 1)),
    (2, "jiading", Adoption.Stage.IMPLEMENTED, Adoption.Status.PENDING, (2024, 1, 10)),
    (3, "changning", Adoption.Stage.DEPLOYED, Adoption.Status.RETURNED, (2024, 4, 1)),
]


def ensure_adoptions() -> str:
    round_ = Round.objects.filter(year=2022, status=Round.Status.PUBLISHED).first()
    if round_ is None:
        return "借鉴记录：没有 2022 年度案例库，跳过"
    sources = list(round_.cases.published().exclude(district=None).in_notice_order()[:10])
    districts = {d.code: d for d in District.objects.all()}
    made = 0
    for position, code, stage, status, since in DEMO_ADOPTIONS:
        district = districts[code]
        candidates = [c for c in sources[position:] if c.district_id != district.pk]
        if not candidates:
            continue
        source = candidates[0]
        own = (
            Case.objects.filter(district=district, round__year__gt=2022)
            .exclude(status=Case.Status.REJECTED)
            .order_by("round__year", "id")
            .first()
        )
        _adoption, created = Adoption.objects.get_or_create(
            source=source,
            district=district,
            defaults={
                "description": f"参照{source.district}“{source.title}”的做法，在本区推行。",
                "since": datetime.date(*since),
                "stage": stage,
                "status": status,
                "own_case": own if status == Adoption.Status.CONFIRMED else None,
                "staff_comment": "请补充推进情况和关键数据。"
                if status == Adoption.Status.RETURNED
                else "",
            },
        )
        made += created
    return f"借鉴记录：新建 {made} 条（共 {Adoption.objects.count()} 条）"
