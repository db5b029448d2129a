"""The product catalogue moves out of the pricing app; its table stays where it is."""

from django.db import migrations, models


def _move_content_type(apps, old, new):
    """Existing databases: permissions and audit entries follow the product model."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=new, model="product").exists():
        ContentType.objects.filter(app_label=old, model="product").update(app_label=new)


def rename_content_type(apps, schema_editor):
    _move_content_type(apps, "pricing", "catalogue")


def rename_content_type_back(apps, schema_editor):
    _move_content_type(apps, "catalogue", "pricing")


class Migration(migrations.Migration):

    initial = True

    dependencies = [("pricing", "0006_submission_newest_index"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [
        # State only: the table is the one the pricing app created (pricing_product).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Product',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name_fa', models.CharField(max_length=100, unique=True, verbose_name='name (Persian)')),
                        ('name_en', models.CharField(blank=True, max_length=100, verbose_name='name (English)')),
                        ('slug', models.SlugField(max_length=60, unique=True, verbose_name='slug')),
                        ('default_unit', models.CharField(choices=[('kg', 'kilogram'), ('box', 'box'), ('piece', 'piece')], default='kg', max_length=10, verbose_name='default unit')),
                        ('default_net_grams', models.PositiveIntegerField(blank=True, help_text='Only for products sold by the box or piece.', null=True, verbose_name='net grams per box/piece')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('sort_order', models.PositiveSmallIntegerField(default=100, verbose_name='order')),
                    ],
                    options={
                        'verbose_name': 'product',
                        'verbose_name_plural': 'products',
                        'db_table': 'pricing_product',
                        'ordering': ['sort_order', 'name_fa'],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_type, rename_content_type_back),
    ]
