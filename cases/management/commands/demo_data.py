from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils.module_loading import import_string

from cases import demo

# Each later feature adds its own idempotent step here: a function returning one line.
DEMO_STEPS = [
    "cases.demo.ensure_archive",
    "publishing.demo.ensure_notice_documents",
    "cases.demo.ensure_submission_round",
    "reviews.demo.ensure_selection_demo",
    "reviews.demo_panel.ensure_panel_demo",
    "cases.adoption.demo.ensure_adoptions",
]


class Command(BaseCommand):
    help = "载入演示数据：2022 年度案例库和各角色演示账号（可重复运行）。"

    def add_arguments(self, parser):
        # Accepted and refused alike: a production database never holds an account whose
        # password is printed in the README.
        parser.add_argument("--force", action="store_true", help="生产模式下同样拒绝")

    def handle(self, *args, force=False, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "生产模式下不载入演示数据（--force 也不行）：演示账号的密码是公开的", returncode=2
            )
        accounts = demo.ensure_accounts()
        for step in DEMO_STEPS:
            self.stdout.write(import_string(step)())
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, role, district, org in accounts:
            self.stdout.write(f"  {username:<20} {role:<12} {district!s:<8} {org}")
        login = settings.SITE_URL.rstrip("/") + reverse("login")
        self.stdout.write(f"公众投票无需账号；登录地址 {login}")
