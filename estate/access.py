"""Who may use which estate page: the milestones and the published ranking are public;
following, the demand register and one's own rank are for users of active members. There
are no ids in the member's URLs: a member only ever reaches its own registration."""

from members.access import active_member_required

__all__ = ["active_member_required"]
