"""What the estate app keeps about a member being anonymised: its demand registration's note
(the register's numbers stay for the totals and past rankings)."""

from .models import DemandRegistration


def member_estate_erase(member) -> None:
    DemandRegistration.objects.filter(member=member).update(note="", investment_rial=None)
