from django.core.management.base import BaseCommand

from bizenv.tasks import recover_pending_work


class Command(BaseCommand):
    help = "补做因消息队列或任务进程中断而未完成的工作（通知邮件、通知文件），可重复运行。"

    def handle(self, *args, **options):
        done = recover_pending_work()
        self.stdout.write(
            f"补发通知 {done['notifications']} 封，重新生成通知文件 {done['documents']} 个"
        )
