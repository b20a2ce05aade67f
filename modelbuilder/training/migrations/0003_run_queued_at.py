from django.db import migrations, models
from django.db.models import F


def queued_at_from_created_at(apps, schema_editor):
    apps.get_model("training", "Run").objects.filter(queued_at__isnull=True).update(
        queued_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_run_resilience"),
    ]

    operations = [
        migrations.AddField(
            model_name="run",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(queued_at_from_created_at, migrations.RunPython.noop),
    ]
