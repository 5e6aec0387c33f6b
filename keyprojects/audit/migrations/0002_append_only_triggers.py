"""Make the audit table append-only in the database itself (see keyprojects/audit/triggers.py)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from keyprojects.audit.triggers import install

    install(schema_editor.connection)


def backwards(apps, schema_editor):
    from keyprojects.audit.triggers import uninstall

    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
