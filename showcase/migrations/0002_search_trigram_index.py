"""On PostgreSQL, a trigram index makes the showcase search (`search_key LIKE '%…%'`) use an
index; SQLite has no such index and scans (fine at its scale)."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS listing_search_key_trgm ON showcase_listing USING gin (search_key gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS listing_search_key_trgm")


class Migration(migrations.Migration):
    dependencies = [("showcase", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
