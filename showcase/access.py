"""Who may use the member's showcase pages: a user acting for an active member (others 403);
another member's listing, photo, sheet or code is a 404 (selectors.own_*_or_404)."""

from members.access import active_member_or_403

__all__ = ["active_member_or_403"]
