from django.urls import path

from . import views

app_name = "twofactor"
urlpatterns = [
    path("", views.manage, name="manage"),
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("recovery/", views.recovery, name="recovery"),
    path("disable/", views.disable, name="disable"),
]
