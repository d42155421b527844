from django.db import migrations

from cases.districts import DISTRICTS

TOPICS = ["政务服务", "市场准入", "法治保障", "税费服务", "人才就业", "企业服务", "区域协同"]


def seed(apps, schema_editor):
    District = apps.get_model("cases", "District")
    for order, (code, name, short) in enumerate(DISTRICTS, start=1):
        District.objects.update_or_create(
            code=code, defaults={"name": name, "short_name": short, "order": order}
        )
    Topic = apps.get_model("cases", "Topic")
    for order, name in enumerate(TOPICS, start=1):
        Topic.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
