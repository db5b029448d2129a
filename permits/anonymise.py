"""What the permits app erases when a member is anonymised (registered with members in
PermitsConfig.ready): workers' names and national IDs are scrubbed, case documents deleted."""

from django.core.files.storage import storages
from django.db import transaction

from members.anonymise import ERASED, placeholder_id

from .models import CaseDocument, Worker


def member_permits_erase(member) -> None:
    for worker in Worker.objects.filter(member=member):
        worker.full_name = ERASED
        worker.national_id = placeholder_id(worker.pk, 10)
        worker.save(update_fields=["full_name", "national_id"])
    documents = list(CaseDocument.objects.filter(case__member=member).values_list("pk", "storage_name"))
    CaseDocument.objects.filter(pk__in=[pk for pk, _name in documents]).delete()
    storage = storages["private"]
    transaction.on_commit(lambda: [storage.delete(name) for _pk, name in documents])
