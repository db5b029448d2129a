"""What the packaging app erases when a member is anonymised (registered with members in
PackagingConfig.ready): the label artwork it uploaded (files and their proof rows: the artwork
carries the producer's name, address and brand). The member's lines stay — the quantities are
the joint order's record with its supplier, and they now name the anonymised member."""

from django.core.files.storage import storages
from django.db import transaction

from .models import LabelProof


def member_packaging_erase(member) -> None:
    proofs = LabelProof.objects.filter(line__member=member)
    names = list(proofs.values_list("storage_name", flat=True))
    proofs.delete()
    storage = storages["private"]
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name], robust=True)
