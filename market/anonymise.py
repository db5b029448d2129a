"""What the buyer requests app erases when a member is anonymised (registered with members in
MarketConfig.ready): the free-text notes of its offers (a note may carry a name or a phone
number). The offers stay — quantities, prices and outcomes are the request's record and the
staff's counts — and now name the anonymised member."""

from .models import Offer


def member_market_erase(member) -> None:
    Offer.objects.filter(member=member).exclude(note="").update(note="")
