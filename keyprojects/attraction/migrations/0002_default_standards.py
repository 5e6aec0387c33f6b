from django.db import migrations


def forwards(apps, schema_editor):
    from keyprojects.attraction.catalogue import ensure_standards

    ensure_standards(apps.get_model("attraction", "StageStandard"), apps.get_model("attraction", "ServiceItem"))


class Migration(migrations.Migration):
    dependencies = [("attraction", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
