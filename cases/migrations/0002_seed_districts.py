from django.db import migrations

from cases.districts import seed_reference_data


def seed(apps, schema_editor):
    seed_reference_data(apps.get_model("cases", "District"), apps.get_model("cases", "Topic"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
