"""Work groups and a scalable "needs attention" list (issue #14).

* ``Cluster.work_key`` (indexed): clusters sharing it are the editions of one work; filled
  here for existing clusters from their merged (base) record's stored keys, as
  ``merged.merge`` computes it from now on.
* ``BibRecord.flagged`` with a partial index on (library, local_id) of flagged rows only:
  the attention list reads the index instead of scanning every record's warnings JSON;
  filled here from the warnings of records salvaged before the column existed.
"""

import json

from django.db import migrations, models
from django.db.models import TextField
from django.db.models.functions import Cast

BATCH = 2000


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else (value or [])


def fill(apps, schema_editor):
    from libcoop.catalog.works import work_key

    BibRecord = apps.get_model("catalog", "BibRecord")
    Cluster = apps.get_model("catalog", "Cluster")
    BibRecord.objects.alias(text=Cast("warnings", TextField())).filter(
        text__contains='"repaired":'
    ).update(flagged=True)
    last = 0
    while True:
        clusters = list(
            Cluster.objects.filter(pk__gt=last, active=True).order_by("pk").only("merged")[:BATCH]
        )
        if not clusters:
            break
        last = clusters[-1].pk
        base = {c.pk: (c.merged or {}).get("base_record") for c in clusters}
        keys = {
            pk: (title_key, author_key, _json(other_ids))
            for pk, title_key, author_key, other_ids in BibRecord.objects.filter(
                pk__in=[b for b in base.values() if b]
            ).values_list("pk", "title_key", "author_key", "other_ids")
        }
        changed = []
        for cluster in clusters:
            found = keys.get(base[cluster.pk])
            cluster.work_key = work_key(*found) if found else ""
            if cluster.work_key:
                changed.append(cluster)
        Cluster.objects.bulk_update(changed, ["work_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_oai_datestamp_index"),
        ("network", "0002_alter_staffprofile_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="bibrecord",
            name="flagged",
            field=models.BooleanField(
                default=False, help_text="salvaged: damage replaced, for the library to fix"
            ),
        ),
        migrations.AddField(
            model_name="cluster",
            name="work_key",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="normalised title and main author: clusters sharing it are one work",
                max_length=400,
            ),
        ),
        migrations.AddIndex(
            model_name="bibrecord",
            index=models.Index(
                condition=models.Q(("flagged", True)),
                fields=["library", "local_id"],
                name="catalog_record_flagged",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
