"""The id of the HMAC key that signed each event (issue 11). SQLite rebuilds the table to add a
column, which drops its triggers: they are installed again right after."""

from django.db import migrations, models


def reinstall_triggers(apps, schema_editor):
    from keyprojects.audit.triggers import install

    install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="密钥编号"),
        ),
        migrations.RunPython(reinstall_triggers, migrations.RunPython.noop),
    ]
