"""Who may use the packaging pages: the list and an order's page are for users of active
members and estates staff; changing a line and uploading a label are for active members only;
the XLSX summary is the staff's. Which order, line or proof: selectors.*_for_user_or_404."""

from core.access import role_required
from members import roles

member_or_staff_required = role_required(roles.is_active_member, roles.is_estates_staff)
active_member_required = role_required(roles.is_active_member)
staff_required = role_required(roles.is_estates_staff)
signed_in_required = role_required()  # a label file: anyone else signed in gets a 404, never a 403
