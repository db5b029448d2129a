"""Qazvin's traditional sweets, the catalogue every installation starts with (the pricing app's
migration 0002 made them first; this puts back any that a test database flush or a staff member
removed). Idempotent; staff add more in the admin."""

from .models import Product

# slug, Persian name, English name, default unit, net grams (box/piece), order
PRODUCTS = [
    ("baklava", "باقلوا", "Baklava", "kg", None, 10),
    ("rice-cookies", "نان برنجی", "Rice cookies", "kg", None, 20),
    ("chickpea-cookies", "نان نخودچی", "Chickpea cookies", "kg", None, 30),
    ("walnut-cookies", "نان گردویی", "Walnut cookies", "kg", None, 40),
    ("almond-cookies", "نان بادامی", "Almond cookies", "kg", None, 50),
    ("qazvini-tea-bread", "نان چای قزوینی", "Qazvini tea bread", "box", 500, 60),
]


def seed(*, stdout=None):
    for slug, name_fa, name_en, unit, grams, order in PRODUCTS:
        Product.objects.get_or_create(
            slug=slug,
            defaults={
                "name_fa": name_fa,
                "name_en": name_en,
                "default_unit": unit,
                "default_net_grams": grams,
                "sort_order": order,
            },
        )
    if stdout:
        stdout.write(f"catalogue: {Product.objects.count()} products")
