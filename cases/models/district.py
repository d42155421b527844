"""Districts and topics: the fixed lists a case is filed under."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class District(models.Model):
    code = models.SlugField(_("代码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=16, unique=True)
    short_name = models.CharField(_("简称"), max_length=8)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["order"]
        verbose_name = _("区")
        verbose_name_plural = _("区")

    def __str__(self):
        return self.name


class Topic(models.Model):
    """A topic area a case belongs to (政务服务, 市场准入 …), maintained by staff."""

    name = models.CharField(_("名称"), max_length=32, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)
    # One keyword per line; a case whose title or text holds one gets this topic (cases.topics).
    keywords = models.TextField(_("关键词"), blank=True, help_text=_("每行一个关键词。"))

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("领域")
        verbose_name_plural = _("领域")

    def __str__(self):
        return self.name
