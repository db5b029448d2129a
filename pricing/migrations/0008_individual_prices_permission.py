"""Individual prices in the admin need `pricing.view_individual_prices`: created here and given
to the union head's group only (superusers hold every permission). The audit trail no longer
keeps price figures (the submission's versions and reviews do, behind that permission): the
values already written are hidden."""

from django.db import migrations

CODENAME = "view_individual_prices"
HIDDEN = "•••"
PRICE_KEYS = {
    "price_rial",
    "note",
    "cost_flour",
    "cost_sugar",
    "cost_oil",
    "cost_nuts",
    "cost_eggs",
    "cost_energy",
    "cost_labour",
    "cost_packaging",
    "cost_overhead",
}


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _created = ContentType.objects.get_or_create(app_label="pricing", model="pricesubmission")
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": "Can see individual prices"}
    )
    group, _created = Group.objects.get_or_create(name="union_head")
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="pricing", codename=CODENAME
    ).delete()


def _hidden(key, value):
    if key not in PRICE_KEYS:
        return value
    if isinstance(value, list) and len(value) == 2:
        return [None if value[0] is None else HIDDEN, None if value[1] is None else HIDDEN]
    return HIDDEN


def hide_prices_in_audit(apps, schema_editor):
    AuditEntry = apps.get_model("cluster_portal", "AuditEntry")
    for entry in AuditEntry.objects.filter(action__startswith="price_submission.").iterator():
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        hidden = {key: _hidden(key, value) for key, value in changes.items()}
        if hidden != changes or entry.note:
            AuditEntry.objects.filter(pk=entry.pk).update(changes=hidden, note="")


class Migration(migrations.Migration):
    dependencies = [
        ("pricing", "0007_product_moved_to_catalogue"),
        ("members", "0002_groups"),
        ("cluster_portal", "0002_audit"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='pricesubmission',
            options={'ordering': ['-created_at', '-id'], 'permissions': [('view_individual_prices', 'Can see individual prices')], 'verbose_name': 'price submission', 'verbose_name_plural': 'price submissions'},
        ),
        migrations.RunPython(grant, revoke),
        migrations.RunPython(hide_prices_in_audit, migrations.RunPython.noop),
    ]
