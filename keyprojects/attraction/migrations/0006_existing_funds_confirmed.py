"""Existing 到资 entries become confirmed, so no figure changes on upgrade.

Before this release a 到资 entry counted as soon as it was entered (there was no confirmation
step). From now on an entry counts in 累计到资, 资金到位率, the funnel, the 招商 assessment
indicators (招商资金到位率) and the exports only once somebody other than its enterer confirms it.
Every entry already stored was counted before, so it is marked 已确认 here — confirmed at the time
it was entered, with no confirmer (nobody confirmed it: the page says 升级前登记，视同已确认) — and
the figures read the same after the upgrade as before. Each gets its history: a 登记 event (its
enterer, when it was entered) and a 确认 event without an actor saying why it counts.
Reversing the migration sets them back to 待确认 and removes those events."""

from django.db import migrations

UPGRADE_NOTE = "升级前登记，视同已确认（升级前到资登记即计入）"


def confirm_existing(apps, schema_editor):
    FundArrival = apps.get_model("attraction", "FundArrival")
    FundEvent = apps.get_model("attraction", "FundEvent")
    events = []
    for entry in FundArrival.objects.filter(status="pending").only("pk", "created_at", "recorded_by_id").iterator(chunk_size=2000):
        entry.status = "confirmed"
        entry.confirmed_at = entry.created_at
        entry.save(update_fields=["status", "confirmed_at"])
        events.append(FundEvent(entry_id=entry.pk, kind="recorded", actor_id=entry.recorded_by_id, at=entry.created_at))
        events.append(FundEvent(entry_id=entry.pk, kind="confirmed", actor_id=None, at=entry.created_at, note=UPGRADE_NOTE))
    FundEvent.objects.bulk_create(events, batch_size=2000)


def back_to_pending(apps, schema_editor):
    FundArrival = apps.get_model("attraction", "FundArrival")
    FundEvent = apps.get_model("attraction", "FundEvent")
    FundEvent.objects.filter(kind="confirmed", actor__isnull=True, note=UPGRADE_NOTE).delete()
    FundArrival.objects.filter(status="confirmed", confirmed_by__isnull=True).update(status="pending", confirmed_at=None)


class Migration(migrations.Migration):
    dependencies = [("attraction", "0005_funds_four_eyes")]

    operations = [migrations.RunPython(confirm_existing, back_to_pending)]
