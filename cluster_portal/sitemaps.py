"""/sitemap.xml: the portal's public pages (home, directory, events, price bands) and every
public showcase listing, for search engines."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from showcase.sitemaps import ShowcaseSitemap


class PublicPagesSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self):
        return ["home", "showcase:list", "members:directory", "events:list", "pricing:bands"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PublicPagesSitemap, "showcase": ShowcaseSitemap}
