"""Build the near-copy index (cases.submission.neardup) from scratch: once after installing
the version that brought it, and after a bulk load that bypassed saves."""

import time

from django.core.management.base import BaseCommand

from cases.submission import neardup


class Command(BaseCommand):
    help = "重建相似案例查重索引（除草稿和已撤回外的全部案例）"

    def handle(self, *args, **options):
        started = time.perf_counter()
        count = neardup.rebuild()
        self.stdout.write(
            f"已为 {count} 个案例建立查重索引，用时 {time.perf_counter() - started:.1f} 秒。"
        )
