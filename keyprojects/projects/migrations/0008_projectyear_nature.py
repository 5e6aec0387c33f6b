"""建设性质 per year (ADR 0004): ``ProjectYear.nature``, blank where no list stated it.

The current year's rows take their project's nature, which is the current year's by definition
(the invariant ``services.sync_current_nature`` keeps from now on). Earlier and later years stay
blank — what their lists said is not known here, and a blank year reads the project's nature, as
every year did before — until their lists are imported again."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone


def current_year_from_projects(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    ProjectYear = apps.get_model("projects", "ProjectYear")
    own = Project.objects.filter(pk=OuterRef("project_id")).values("nature")[:1]
    ProjectYear.objects.filter(year=timezone.localdate().year).update(nature=Subquery(own))


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_contact_phone_validator"),
    ]

    operations = [
        migrations.AddField(
            model_name="projectyear",
            name="nature",
            field=models.CharField(
                blank=True,
                choices=[("new", "新开工"), ("continuing", "续建"), ("completing", "竣工投产"), ("preparatory", "预备(前期)")],
                default="",
                help_text="该年度清单上的建设性质；空为未注明",
                max_length=16,
                verbose_name="建设性质",
            ),
        ),
        migrations.RunPython(current_year_from_projects, migrations.RunPython.noop, elidable=True),
    ]
