"""OAI-PMH lists page by (updated, id): one index for the order and the keyset range."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_search_covering_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="cluster",
            name="updated",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddIndex(
            model_name="cluster",
            index=models.Index(fields=["updated", "id"], name="catalog_cluster_datestamp"),
        ),
    ]
