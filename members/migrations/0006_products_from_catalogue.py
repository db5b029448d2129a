"""Members' products now point at the catalogue app (the same table)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
        ('members', '0005_search_trigram_index'),
    ]

    operations = [
        # State only: the table is the one the pricing app created (pricing_product).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='member',
                    name='products',
                    field=models.ManyToManyField(blank=True, related_name='members', to='catalogue.product', verbose_name='products made'),
                ),
            ],
            database_operations=[],
        ),
    ]
