"""Permits' products now point at the catalogue app (the same table)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
        ('permits', '0002_permit_types'),
    ]

    operations = [
        # State only: the table is the one the pricing app created (pricing_product).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='permit',
                    name='products',
                    field=models.ManyToManyField(blank=True, related_name='permits', to='catalogue.product', verbose_name='products'),
                ),
                migrations.AlterField(
                    model_name='permitcase',
                    name='product',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='permit_cases', to='catalogue.product', verbose_name='product'),
                ),
            ],
            database_operations=[],
        ),
    ]
