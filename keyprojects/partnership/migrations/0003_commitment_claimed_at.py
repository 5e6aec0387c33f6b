"""``Commitment.claimed_at`` (when the latest claim was recorded) and two checks: a claimed or
settled commitment has its claim's time, a settled one its confirmation's time. The 履约率 of a
past day is judged on these moments (``selectors.status_on``)."""

from django.conf import settings
from django.db import migrations, models

SETTLED = ("fulfilled", "partial", "broken")


def backfill(apps, schema_editor):
    """Claimed commitments: their last write was the claim (``updated_at``). Settled ones: the
    latest ``commitment.claim`` audit event, else the confirmation (the claim came before it);
    a settled commitment written without a confirmation time gets its last write's."""
    Commitment = apps.get_model("partnership", "Commitment")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    Q = models.Q
    rows = list(Commitment.objects.filter((~Q(status="open") & Q(claimed_at__isnull=True)) | Q(status__in=SETTLED, confirmed_at__isnull=True)))
    if not rows:
        return
    claims: dict[str, object] = {}
    for object_id, at in (
        AuditEvent.objects.filter(action="commitment.claim", object_type="partnership.commitment", object_id__in=[str(c.pk) for c in rows])
        .order_by("id")
        .values_list("object_id", "at")
    ):
        claims[object_id] = at  # the latest wins
    for c in rows:
        if c.status in SETTLED and c.confirmed_at is None:
            c.confirmed_at = c.updated_at
        if c.claimed_at is None:
            c.claimed_at = c.updated_at if c.status == "claimed" else claims.get(str(c.pk)) or c.confirmed_at
        Commitment.objects.filter(pk=c.pk).update(claimed_at=c.claimed_at, confirmed_at=c.confirmed_at)


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0002_config"),
        ("audit", "0003_key_id"),
        ("regions", "0002_load_gbt2260"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="claimed_at",
            field=models.DateTimeField(blank=True, help_text="最近一次登记履约情况的时间", null=True, verbose_name="登记时间"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "open"), ("claimed_at__isnull", False), _connector="OR"), name="commitment_claim_has_time"
            ),
        ),
        migrations.AddConstraint(
            model_name="commitment",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ("fulfilled", "partial", "broken")), _negated=True), ("confirmed_at__isnull", False), _connector="OR"
                ),
                name="commitment_settled_has_time",
            ),
        ),
    ]
