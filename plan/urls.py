from django.urls import path

from . import views

app_name = "plan"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/export/", views.indicator_export, name="export"),
]
