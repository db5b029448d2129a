"""The showcase's public pages for search engines (/sitemap.xml, wired by the project)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .selectors import public_listing_ids_for_sitemap


class ShowcaseSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.7
    limit = 5000

    def items(self):
        return public_listing_ids_for_sitemap()

    def location(self, item):
        return reverse("showcase:detail", args=[item["id"]])

    def lastmod(self, item):
        return item["updated_at"]
