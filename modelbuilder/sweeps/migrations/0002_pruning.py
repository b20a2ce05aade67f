# Pruning of hopeless trials (median rule). Sweeps started before this migration keep running
# without pruning ("none"); new sweeps default to "median".

from django.db import migrations, models

PRUNING_CHOICES = [("median", "Median"), ("none", "None")]


class Migration(migrations.Migration):
    dependencies = [
        ("sweeps", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="sweep",
            name="pruning",
            field=models.CharField(choices=PRUNING_CHOICES, default="none", max_length=8),
        ),
        migrations.AlterField(
            model_name="sweep",
            name="pruning",
            field=models.CharField(choices=PRUNING_CHOICES, default="median", max_length=8),
        ),
        migrations.AddField(
            model_name="sweep",
            name="pruning_startup_trials",
            field=models.PositiveIntegerField(default=3),
        ),
        migrations.AddField(
            model_name="sweep",
            name="pruning_warmup_epochs",
            field=models.PositiveIntegerField(default=1),
        ),
        migrations.AddField(
            model_name="sweeptrial",
            name="prune_reason",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="sweeptrial",
            name="pruned_epoch",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
    ]
