from django.urls import path

from . import views

app_name = "estate"

urlpatterns = [
    path("", views.home, name="home"),
    path("follow/", views.follow, name="follow"),
    path("interest/", views.interest, name="interest"),
    path("interest/withdraw/", views.withdraw, name="withdraw"),
    path("ranking/", views.ranking, name="ranking"),
]
