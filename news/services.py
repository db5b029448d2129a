"""Every write to the news: saved with its checked image, audited."""

from django.db import transaction

from core.audit import audit_record, diff, snapshot
from core.uploads import CleanFile, thumbnail

from .models import ContactDetails, NewsItem

NEWS_FIELDS = ["title", "body", "published_on", "is_published", "pinned"]
CONTACT_FIELDS = ["organisation", "address", "phone", "email", "office_hours"]


def _stored_image_names(item: NewsItem) -> list[str]:
    """The files the saved row points at (a form may already have put an upload on `item`)."""
    if item.pk is None:
        return []
    row = NewsItem.objects.filter(pk=item.pk).values_list("image", "image_thumbnail").first() or ()
    return [name for name in row if name]


def _replace_image(item: NewsItem, image: CleanFile) -> None:
    old = _stored_image_names(item)
    item.image.save(image.content.name, image.content, save=False)
    thumb = thumbnail(image, size=640)
    item.image_thumbnail.save(thumb.content.name, thumb.content, save=False)
    storage = item.image.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old])


@transaction.atomic
def news_item_save(*, item: NewsItem, actor, image: CleanFile | None = None, remove_image: bool = False) -> NewsItem:
    """Create or change a news item. `image` is a checked, re-encoded upload (core.uploads)."""
    creating = item.pk is None
    before = {} if creating else snapshot(NewsItem.objects.get(pk=item.pk), NEWS_FIELDS)
    if creating:
        item.created_by = actor if getattr(actor, "is_authenticated", False) else None
    if image is not None:
        _replace_image(item, image)
    elif remove_image:
        old = _stored_image_names(item)
        storage = item.image.storage
        item.image, item.image_thumbnail = "", ""
        transaction.on_commit(lambda: [storage.delete(name) for name in old])
    item.save()
    changes = diff(before, snapshot(item, NEWS_FIELDS))
    audit_record(actor=actor, action="news.create" if creating else "news.change", instance=item, changes=changes)
    return item


@transaction.atomic
def news_item_delete(*, item: NewsItem, actor) -> None:
    names = [name for name in (item.image.name, item.image_thumbnail.name) if name]
    storage = item.image.storage
    audit_record(actor=actor, action="news.delete", instance=item)
    item.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in names])


@transaction.atomic
def contact_details_save(*, details: ContactDetails, actor) -> ContactDetails:
    """The one contact record: saving another replaces it."""
    before = {}
    existing = ContactDetails.objects.select_for_update().order_by("pk").first()
    if existing is not None:
        before = snapshot(existing, CONTACT_FIELDS)
        details.pk = existing.pk
    details.save()
    ContactDetails.objects.exclude(pk=details.pk).delete()
    audit_record(
        actor=actor, action="contact.change", instance=details, changes=diff(before, snapshot(details, CONTACT_FIELDS))
    )
    return details
