from django.core.management.base import BaseCommand

from core.recovery import describe, recover_pending_work


class Command(BaseCommand):
    help = "补做因消息队列或任务进程中断而未完成的工作（通知邮件、通知文件），可重复运行。"

    def handle(self, *args, **options):
        self.stdout.write(describe(recover_pending_work()))
