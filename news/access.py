from django.http import Http404

from core.groups import is_estates_staff

from .models import NewsItem


def news_item_for_user_or_404(*, user, item_id) -> NewsItem:
    """A published item for everyone; unpublished or future items only for the estates staff."""
    queryset = NewsItem.objects.all() if is_estates_staff(user) else NewsItem.objects.published()
    item = queryset.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item
