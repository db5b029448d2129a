"""What the buyer requests app erases when a member is anonymised (registered with members in
MarketConfig.ready): the free-text notes of its offers (a note may carry a name or a phone
number), also in the offers' audit entries. The offers stay — quantities, prices and outcomes are the request's record and the
staff's counts — and now name the anonymised member."""

from members.anonymise import erase_audit_keys

from .models import Offer


def member_market_erase(member) -> None:
    offers = Offer.objects.filter(member=member)
    erase_audit_keys(Offer, list(offers.values_list("pk", flat=True)), {"note"})
    offers.exclude(note="").update(note="")
