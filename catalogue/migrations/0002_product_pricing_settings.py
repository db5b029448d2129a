"""The product's pricing settings: the plausible range per kg ("Toman or Rial?") and the rounding
step of published figures (Rials; staff type Toman in the admin). Product fields only: when the
product moves to the catalogue app, these operations move with it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='product',
            name='plausible_max_per_kg_rial',
            field=models.BigIntegerField(blank=True, help_text='In Toman. A price per kg above it asks the member "Toman or Rial?". Empty: no upper bound.', null=True, verbose_name='highest plausible price per kg'),
        ),
        migrations.AddField(
            model_name='product',
            name='plausible_min_per_kg_rial',
            field=models.BigIntegerField(blank=True, help_text='In Toman. A price per kg below it asks the member "Toman or Rial?". Empty: no lower bound.', null=True, verbose_name='lowest plausible price per kg'),
        ),
        migrations.AddField(
            model_name='product',
            name='publish_step_rial',
            field=models.PositiveBigIntegerField(default=10000, help_text='In Toman. Every published or shared figure of this product is rounded to it.', verbose_name='rounding step of published prices'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('publish_step_rial__gt', 0)), name='product_publish_step_positive'),
        ),
        migrations.AddConstraint(
            model_name='product',
            constraint=models.CheckConstraint(condition=models.Q(('plausible_min_per_kg_rial__isnull', True), ('plausible_max_per_kg_rial__isnull', True), ('plausible_min_per_kg_rial__lte', models.F('plausible_max_per_kg_rial')), _connector='OR'), name='product_plausible_range_ordered'),
        ),
    ]
