"""Corrections stored every value as text, so a cleared 形象进度%/在岗工人数 became "None" and
本月无进展 "True"/"False", which could not be applied (issue 17). Store them as JSON values."""

from django.db import migrations

NULLABLE = ("physical_progress_pct", "workers")


def _fix(field: str, value):  # type: ignore[no-untyped-def]
    if field in NULLABLE and value in ("None", ""):
        return None
    if field == "no_activity" and value in ("True", "False"):
        return value == "True"
    if field == "workers" and isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    ReportRevision = apps.get_model("dispatch", "ReportRevision")
    for rev in ReportRevision.objects.all().iterator():
        old = {k: _fix(k, v) for k, v in (rev.old_values or {}).items()}
        new = {k: _fix(k, v) for k, v in (rev.new_values or {}).items()}
        if old != rev.old_values or new != rev.new_values:
            ReportRevision.objects.filter(pk=rev.pk).update(old_values=old, new_values=new)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0002_drop_redundant_indexes")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
