from django.db import migrations

# Qazvin's traditional sweets; staff add more in the admin.
PRODUCTS = [
    ("baklava", "باقلوا", "Baklava", "kg", None, 10),
    ("rice-cookies", "نان برنجی", "Rice cookies", "kg", None, 20),
    ("chickpea-cookies", "نان نخودچی", "Chickpea cookies", "kg", None, 30),
    ("walnut-cookies", "نان گردویی", "Walnut cookies", "kg", None, 40),
    ("almond-cookies", "نان بادامی", "Almond cookies", "kg", None, 50),
    ("qazvini-tea-bread", "نان چای قزوینی", "Qazvini tea bread", "box", 500, 60),
]


def add_products(apps, schema_editor):
    Product = apps.get_model("pricing", "Product")
    for slug, name_fa, name_en, unit, grams, order in PRODUCTS:
        Product.objects.get_or_create(
            slug=slug,
            defaults={"name_fa": name_fa, "name_en": name_en, "default_unit": unit,
                      "default_net_grams": grams, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("pricing", "0001_initial")]

    operations = [migrations.RunPython(add_products, migrations.RunPython.noop)]
