from django.db import migrations, models
from django.db.models.functions import TruncDate


def backfill(apps, schema_editor):
    """Events entered before the field: the day they were entered (in the site's time zone)."""
    ProjectEvent = apps.get_model("projects", "ProjectEvent")
    ProjectEvent.objects.filter(on_date__isnull=True).update(on_date=TruncDate("at"))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0009_unindexed_user_refs"),
    ]

    operations = [
        migrations.AddField(
            model_name="projectevent",
            name="on_date",
            field=models.DateField(blank=True, null=True, verbose_name="日期"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
