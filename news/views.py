from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .access import news_item_for_user_or_404


@require_GET
def news_list(request):
    """Public: the archive of cluster news, ten a page."""
    page = Paginator(selectors.news_archive(), 10).get_page(request.GET.get("page"))
    return render(request, "news/list.html", {"page": page})


@require_GET
def news_detail(request, item_id):
    """Public: one published item (staff also see unpublished ones, marked)."""
    item = news_item_for_user_or_404(user=request.user, item_id=item_id)
    return render(request, "news/detail.html", {"item": item, "contact": selectors.contact_details()})
