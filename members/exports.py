"""CSV and XLSX exports of the member list for the estates staff (admin action). Headers follow
the current language; national IDs are masked for everyone but superusers."""

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import jalali
from core.exports import Table, csv_response, xlsx_response
from core.validators import mask_identifier


def columns():
    return [
        (_("membership number"), lambda m, full: m.membership_number or ""),
        (_("business name"), lambda m, full: m.business_name),
        (_("brand"), lambda m, full: m.brand),
        (_("kind"), lambda m, full: m.get_kind_display()),
        (_("status"), lambda m, full: m.get_status_display()),
        (_("owner's full name"), lambda m, full: m.owner_name),
        (
            _("owner's national ID"),
            lambda m, full: m.owner_national_id if full else mask_identifier(m.owner_national_id),
        ),
        (_("legal entity ID"), lambda m, full: m.legal_entity_id),
        (_("mobile number"), lambda m, full: m.mobile),
        (_("landline"), lambda m, full: m.landline),
        (_("county"), lambda m, full: m.get_county_display()),
        (_("address"), lambda m, full: m.address),
        (_("postal code"), lambda m, full: m.postal_code),
        (_("guild licence number"), lambda m, full: m.guild_licence_number),
        (_("products made"), lambda m, full: "، ".join(p.name for p in m.products.all())),
        (_("monthly capacity (kg)"), lambda m, full: m.monthly_capacity_kg or ""),
        (_("number of workers"), lambda m, full: m.workers_count or ""),
        (_("list in the public directory"), lambda m, full: _("yes") if m.directory_opt_in else _("no")),
        (_("applied at"), lambda m, full: jalali.format_date(timezone.localtime(m.created_at).date())),
    ]


def member_rows(queryset, *, full_ids: bool):
    cols = columns()
    yield [str(title) for title, _getter in cols]
    for member in queryset.prefetch_related("products"):
        yield [getter(member, full_ids) for _title, getter in cols]


def _filename() -> str:
    return f"members-{timezone.localdate().isoformat()}"


def export_csv(queryset, *, full_ids: bool) -> HttpResponse:
    table = Table(_("members"), list(member_rows(queryset, full_ids=full_ids)))
    return csv_response([table], filename=_filename())


def export_xlsx(queryset, *, full_ids: bool) -> HttpResponse:
    table = Table(_("members"), list(member_rows(queryset, full_ids=full_ids)))
    return xlsx_response([table], filename=_filename())
