"""The public directory searches only what it shows (business name and brand here; products
and county are matched by their names at search time), never the owner's name or the licence
number that the staff's `search_key` holds. On PostgreSQL a trigram index serves the
`LIKE '%…%'`."""

from django.db import migrations, models

from core.persian import search_key


def fill(apps, schema_editor):
    Member = apps.get_model("members", "Member")
    for member in Member.objects.only("pk", "business_name", "brand").iterator(chunk_size=2000):
        key = search_key(" ".join(filter(None, [member.business_name, member.brand])))[:400]
        Member.objects.filter(pk=member.pk).update(directory_key=key)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS member_directory_key_trgm ON members_member USING gin (directory_key gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS member_directory_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0007_user_privilege_version")]

    operations = [
        migrations.AddField(
            model_name="member",
            name="directory_key",
            field=models.CharField(blank=True, editable=False, max_length=400),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
