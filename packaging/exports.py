"""The order summary the supplier receives at close: the order's terms and totals, and one row
per member (the licence number printed on its boxes, its quantity and its cost)."""

from django.utils.translation import gettext as _

from core.exports import Table, xlsx_response
from core.jalali import format_date
from core.money import rial_to_toman

from .models import LabelProof
from .selectors import order_lines, order_with_state


def _toman(rial):
    return None if rial is None else int(rial_to_toman(rial))


def summary_tables(order) -> list[Table]:
    order = order_with_state(order)
    state = order.state
    lines = order_lines(order=order, state=state)
    facts = [
        [_("Joint order"), order.title],
        [_("Supplier"), order.supplier_name],
        [_("Supplier's contact"), order.supplier_contact],
        [_("Box type"), order.get_box_type_display()],
        [_("Size"), order.box_size],
        [_("Print"), order.print_spec],
        [_("Deadline"), format_date(order.deadline, numeric=True)],
        [_("Status"), order.get_status_display()],
        [_("Members"), len(lines)],
        [_("Total boxes"), state.total],
        [_("Tier reached (from boxes)"), state.current.min_quantity if state.current else ""],
        [_("Unit price (Toman)"), _toman(state.unit_price_rial)],
        [_("Total cost (Toman)"), _toman(state.cost_rial(state.total))],
    ]
    rows = [
        [
            _("Member"),
            _("Membership number"),
            _("Mobile"),
            _("Licence number printed on the box"),
            _("Licence valid until"),
            _("Boxes"),
            _("Unit price (Toman)"),
            _("Cost (Toman)"),
            _("Label proof"),
        ]
    ]
    statuses = dict(LabelProof.Status.choices)
    for line in lines:
        rows.append(
            [
                line.member.business_name,
                line.member.membership_number or "",
                line.member.mobile,
                line.licence_number,
                format_date(line.licence.expiry_date, numeric=True) if line.licence.expiry_date else "",
                line.quantity,
                _toman(state.unit_price_rial),
                _toman(line.cost_rial),
                str(statuses.get(line.proof_status, _("Not uploaded"))),
            ]
        )
    rows.append([_("Total"), "", "", "", "", state.total, "", _toman(state.cost_rial(state.total)), ""])
    return [Table(title=_("Members and boxes"), rows=rows), Table(title=_("Order terms"), rows=facts, header=False)]


def summary_response(order):
    return xlsx_response(summary_tables(order), filename=f"packaging-order-{order.pk}")
