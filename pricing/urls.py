from django.urls import path

from . import views

app_name = "pricing"

urlpatterns = [
    path("", views.my_prices, name="my_prices"),
    path("submit/", views.submit, name="submit"),
    path("mine/<int:pk>/", views.submission_detail, name="submission_detail"),
    path("review/", views.review, name="review"),
    path("report/", views.report, name="report"),
    path("rounds/<int:pk>/transition/", views.round_transition, name="round_transition"),
    path("bands/", views.bands, name="bands"),
]
