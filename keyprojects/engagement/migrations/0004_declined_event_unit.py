"""A 非本部门职责 step recorded the unit it sent the request to as its unit, shown beside the person
who declined as if that unit had declined: it is the declining unit, named at the start of the
step's note ("济南市发展和改革委员会：非本部门职责，应由…办理。…"). Steps whose name matches no
unit or several keep their unit."""

from django.db import migrations

SEPARATOR = "：非本部门职责，应由"


def declining_unit(apps, schema_editor):
    RequestEvent = apps.get_model("engagement", "RequestEvent")
    Unit = apps.get_model("regions", "Unit")
    for event in RequestEvent.objects.filter(kind="declined").only("pk", "note", "unit_id").iterator():
        name = event.note.split(SEPARATOR, 1)[0] if SEPARATOR in event.note else ""
        units = list(Unit.objects.filter(name=name).values_list("pk", flat=True)[:2]) if name else []
        if len(units) == 1 and event.unit_id != units[0]:
            RequestEvent.objects.filter(pk=event.pk).update(unit_id=units[0])


class Migration(migrations.Migration):
    dependencies = [("engagement", "0003_phone_validator"), ("regions", "0001_initial")]

    operations = [migrations.RunPython(declining_unit, migrations.RunPython.noop)]
