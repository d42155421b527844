from django.core.management.base import BaseCommand, CommandError

from core.recovery import describe, failed, recover_pending_work


class Command(BaseCommand):
    help = "补做因消息队列或任务进程中断而未完成的工作（通知邮件、通知文件），可重复运行。"

    def handle(self, *args, **options):
        done = recover_pending_work()
        self.stdout.write(describe(done))
        if failed(done):
            raise CommandError("部分补做步骤出错，其余步骤已完成；详见日志，修复后可再次运行。")
