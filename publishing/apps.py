from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "publishing"
    verbose_name = _("公示与公布")

    def ready(self):
        from core import recovery

        from . import notice_documents, retention

        recovery.register(
            "documents",
            notice_documents.regenerate_stale_documents,
            report="重新生成通知文件 {} 个",
        )
        recovery.register(
            "personal_data",
            retention.minimise_personal_data,
            report="个人信息最小化 {} 项",
        )
