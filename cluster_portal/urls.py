from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from core import views as core_views
from members import auth_views
from showcase.urls import verify_urlpatterns

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = admin.site.site_header

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/2fa/", include("members.twofactor.urls")),
    path("accounts/", include(auth_views.urlpatterns)),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_mark_read, name="notifications_mark_read"),
    path("news/", include("news.urls")),
    path("members/", include("members.urls")),
    path("events/", include("events.urls")),
    path("prices/", include("pricing.urls")),
    path("permits/", include("permits.urls")),
    path("showcase/", include("showcase.urls")),
    path("v/", include(verify_urlpatterns)),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("programmes/", include("programmes.urls")),
    path("estate/", include("estate.urls")),
    path("cluster/", include("plan.urls")),
    path("market/", include("market.urls")),
    path("packaging/", include("packaging.urls")),
    path("admin/", admin.site.urls),
]
# Development only (static() adds nothing when DEBUG is off): public uploads such as news
# pictures; in production nginx or the object storage serves MEDIA_URL.
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
