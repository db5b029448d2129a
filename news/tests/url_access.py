from tests.access import PUBLIC, VISITORS, Rule


def _published(actors):
    from news.models import NewsItem

    return {"item_id": NewsItem.objects.create(title="خبر", body="متن خبر").pk}


URL_ACCESS = {
    "news:list": Rule(PUBLIC, public_cache=VISITORS),
    "news:detail": Rule(PUBLIC, kwargs=_published, public_cache=VISITORS),
}
