"""The tag vocabulary of knowledge exchange: the subjects of green-library work.

The subjects follow the Green Library standard's categories (energy and resources, waste and
pollution, the building, staff and users' awareness, networks) and the seed's activities (the
green corner, waste sorting, outreach to schools).  Codes are stable; labels may be edited by
a later migration (then rebuild the search entries with ``knowledge.search.reindex``).
"""

from django.db import migrations

TAGS = [
    ("energy", "พลังงาน", "Energy"),
    ("waste", "ขยะและของเสีย", "Waste"),
    ("water", "น้ำ", "Water"),
    ("paper", "การลดใช้กระดาษ", "Paper reduction"),
    ("green-procurement", "การจัดซื้อจัดจ้างที่เป็นมิตรกับสิ่งแวดล้อม", "Green procurement"),
    ("green-corner", "มุมความรู้สีเขียว", "Green corner"),
    ("ghg", "ก๊าซเรือนกระจกและคาร์บอน", "Greenhouse gases and carbon"),
    ("green-building", "อาคารและสภาพแวดล้อมสีเขียว", "Green building"),
    ("awareness", "การสร้างจิตสำนึก", "Awareness"),
    ("outreach", "การบริการวิชาการและชุมชน", "Outreach"),
    ("green-resources", "ทรัพยากรสารสนเทศด้านสิ่งแวดล้อม", "Green information resources"),
    ("management", "นโยบายและการบริหารจัดการ", "Policy and management"),
    ("network", "เครือข่ายและความร่วมมือ", "Networks and cooperation"),
]


def add_tags(apps, schema_editor):
    Tag = apps.get_model("knowledge", "Tag")
    for position, (code, label_th, label_en) in enumerate(TAGS, start=1):
        Tag.objects.update_or_create(
            code=code,
            defaults={"label_th": label_th, "label_en": label_en, "position": position},
        )


def remove_tags(apps, schema_editor):
    apps.get_model("knowledge", "Tag").objects.filter(code__in=[t[0] for t in TAGS]).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(add_tags, remove_tags)]
