from .models import ContactDetails, NewsItem

LISTING_FIELDS = ("id", "title", "body", "published_on", "pinned", "image_thumbnail")


def news_for_home(*, limit: int = 3) -> list[NewsItem]:
    """The newest published items, pinned ones first (one query)."""
    return list(NewsItem.objects.published().only(*LISTING_FIELDS)[:limit])


def news_archive():
    """Every published item, pinned first then newest (paginate it)."""
    return NewsItem.objects.published().only(*LISTING_FIELDS)


def contact_details() -> ContactDetails | None:
    return ContactDetails.objects.order_by("pk").first()
