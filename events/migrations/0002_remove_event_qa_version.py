from django.db import migrations


class Migration(migrations.Migration):
    """The Q&A's version now lives in the shared cache (events.qa_cache)."""

    dependencies = [("events", "0001_initial")]

    operations = [migrations.RemoveField(model_name="event", name="qa_version")]
