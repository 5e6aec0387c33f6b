"""The one row of dispatch settings exists from the start, so that reading it (every dispatch
page does) never writes (issue 11: no GET writes)."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    DispatchConfig = apps.get_model("dispatch", "DispatchConfig")
    if not DispatchConfig.objects.filter(pk=1).exists():
        DispatchConfig.objects.create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0003_revision_values_as_json")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
