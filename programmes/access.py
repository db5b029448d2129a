"""Who may see which programmes page (the decorators are members.access's, built with the
platform's one factory). Another member's application or document is a 404
(selectors.application_for_user_or_404 / document_for_user_or_404)."""

from members.access import active_member_required, member_or_staff_required, staff_required

__all__ = ["active_member_required", "member_or_staff_required", "staff_required"]
