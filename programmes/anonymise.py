"""What the programmes app keeps about a member being anonymised: its applications' free text
and files. The counts (call, kind, county, status) stay for the published aggregates."""

from django.core.files.storage import storages
from django.db import transaction

from .models import Application, ApplicationDocument


def member_programmes_erase(member) -> None:
    documents = ApplicationDocument.objects.filter(application__member=member)
    names = list(documents.values_list("storage_name", flat=True))
    documents.delete()
    Application.objects.filter(member=member).update(motivation="")
    storage = storages["private"]

    def remove_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(remove_files)
