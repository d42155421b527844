"""The 16 districts of Shanghai, in the order official documents list them."""

DISTRICTS = [
    ("pudong", "浦东新区", "浦东"),
    ("huangpu", "黄浦区", "黄浦"),
    ("jingan", "静安区", "静安"),
    ("xuhui", "徐汇区", "徐汇"),
    ("changning", "长宁区", "长宁"),
    ("putuo", "普陀区", "普陀"),
    ("hongkou", "虹口区", "虹口"),
    ("yangpu", "杨浦区", "杨浦"),
    ("minhang", "闵行区", "闵行"),
    ("baoshan", "宝山区", "宝山"),
    ("jiading", "嘉定区", "嘉定"),
    ("jinshan", "金山区", "金山"),
    ("songjiang", "松江区", "松江"),
    ("qingpu", "青浦区", "青浦"),
    ("fengxian", "奉贤区", "奉贤"),
    ("chongming", "崇明区", "崇明"),
]

TOPICS = ["政务服务", "市场准入", "法治保障", "税费服务", "人才就业", "企业服务", "区域协同"]


def seed_reference_data(District, Topic) -> None:
    """The 16 districts and the starting topics; idempotent. Takes the model classes so that
    the migration can pass its historical models."""
    for order, (code, name, short) in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "order": order}
        )
    # The keywords field came later (migration 0014): the historical model of 0002 lacks it.
    with_keywords = any(f.name == "keywords" for f in Topic._meta.get_fields())
    for order, name in enumerate(TOPICS, start=1):
        defaults = {"order": order}
        if with_keywords:
            from cases.topics import DEFAULT_KEYWORDS

            defaults["keywords"] = "\n".join(DEFAULT_KEYWORDS.get(name, []))
        Topic.objects.get_or_create(name=name, defaults=defaults)
