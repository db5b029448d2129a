from django.db import migrations
from django.db.models import Max


def forwards(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    Counter = apps.get_model("members", "MembershipCounter")
    highest = Member.objects.aggregate(n=Max("membership_number"))["n"] or 0
    Counter.objects.get_or_create(id=1, defaults={"last_number": max(1000, highest)})
    # Guild workshops and shops are public businesses; home producers stay private by default.
    Member.objects.filter(kind="guild").update(contact_public=True)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_member_profile_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
