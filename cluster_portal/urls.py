from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from members import auth_views

from . import views

admin.site.site_header = settings.PORTAL_NAME
admin.site.site_title = settings.PORTAL_NAME
admin.site.index_title = admin.site.site_header

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/2fa/", include("members.twofactor.urls")),
    path("accounts/", include(auth_views.urlpatterns)),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_mark_read, name="notifications_mark_read"),
    path("members/", include("members.urls")),
    path("events/", include("events.urls")),
    path("prices/", include("pricing.urls")),
    path("permits/", include("permits.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "cluster_portal.views.error_403"
handler404 = "cluster_portal.views.error_404"
handler500 = "cluster_portal.views.error_500"
