"""The product model now lives in the catalogue app; submissions and statistics point there."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
        ('members', '0006_products_from_catalogue'),
        ('permits', '0003_products_from_catalogue'),
        ('pricing', '0006_submission_newest_index'),
    ]

    operations = [
        # State only: the table is the one the pricing app created (pricing_product).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='pricecellstat',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='catalogue.product'),
                ),
                migrations.AlterField(
                    model_name='pricesubmission',
                    name='product',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='catalogue.product', verbose_name='product'),
                ),
                migrations.DeleteModel(
                    name='Product',
                ),
            ],
            database_operations=[],
        ),
    ]
