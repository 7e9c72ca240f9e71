"""An import job's flagged count reads a partial index of flagged rows (the job page polls
it every second while the job runs), not every record the job loaded."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_work_key_and_flagged"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="bibrecord",
            index=models.Index(
                condition=models.Q(("flagged", True)),
                fields=["job"],
                name="catalog_record_flagged_job",
            ),
        ),
    ]
