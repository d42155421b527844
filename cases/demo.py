"""Demo data for `make run`: the 2022 archive and an account for each role. Idempotent."""

from pathlib import Path

from django.contrib.auth import get_user_model

from cases.models import Case, District, Round
from cases.notices.importer import import_notice
from cases.notices.parser import parse_notice

DEMO_PASSWORD = "demo-2026"
NOTICE_2022 = Path(__file__).resolve().parent / "data" / "notices" / "2022.txt"

# (username, role, district code or None, family name, given name, organisation)
DEMO_ACCOUNTS = [
    ("staff", "staff", None, "王", "主任", "上海市发展和改革委员会"),
    ("auditor", "auditor", None, "周", "审计", "上海市发展和改革委员会"),
    ("officer_jiading", "officer", "jiading", "李", "嘉定", "嘉定区发展和改革委员会"),
    ("officer_pudong", "officer", "pudong", "张", "浦东", "浦东新区发展和改革委员会"),
    ("officer_changning", "officer", "changning", "陈", "长宁", "长宁区发展和改革委员会"),
    ("expert_zhao", "expert", None, "赵", "教授", "复旦大学"),
    ("expert_qian", "expert", None, "钱", "研究员", "上海社会科学院"),
    ("expert_sun", "expert", "pudong", "孙", "律师", "浦东新区律师协会"),
]


# The system administrator: the one superuser of the demo (creates staff accounts, changes
# roles); staff run the rounds without admin powers, the auditor reads the security audit.
ADMIN_ACCOUNT = ("admin", "", None, "系统", "管理员", "上海市发展和改革委员会")


def ensure_accounts():
    User = get_user_model()
    districts = {d.code: d for d in District.objects.all()}
    rows = []
    for username, role, district, family, given, org in [*DEMO_ACCOUNTS, ADMIN_ACCOUNT]:
        admin = username == ADMIN_ACCOUNT[0]
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "district": districts.get(district),
                "last_name": family,
                "first_name": given,
                "organisation": org,
                "email": f"{username}@example.cn",
            },
        )
        # Also on a database loaded before the admin account existed (staff was a superuser).
        user.is_staff = user.is_superuser = admin
        user.demo_account = True
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        rows.append((username, user.get_role_display(), user.district or "", org))
    return rows


def ensure_archive():
    if Round.objects.filter(year=2022, status=Round.Status.PUBLISHED).exists():
        return "2022 年度案例库已存在"
    report = import_notice(parsed=parse_notice(NOTICE_2022.read_bytes()), year=2022)
    count = Case.objects.filter(round=report.round).count()
    return f"已导入 2022 年度通知：{count} 个案例"


def ensure_submission_round():
    """The 2027 round open for submissions, with drafts and submitted cases (see
    cases/demo_submission.py)."""
    from cases.demo_submission import ensure_submission_round as ensure

    return ensure()
