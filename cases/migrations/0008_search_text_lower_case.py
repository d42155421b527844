"""search_text is stored lower-cased (Case.build_search_text); rebuild it for existing cases.
The full-text triggers follow the UPDATE."""

from django.db import migrations


def lower_case(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    for pk, text in Case.objects.values_list("pk", "search_text").iterator():
        if text and text != text.lower():
            Case.objects.filter(pk=pk).update(search_text=text.lower())


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_merge_submission_publishing")]

    operations = [migrations.RunPython(lower_case, migrations.RunPython.noop)]
