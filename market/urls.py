from django.urls import path

from . import views

app_name = "market"

urlpatterns = [
    path("buy/", views.request_new, name="request_new"),
    path("buy/verify/", views.request_verify, name="request_verify"),
    path("b/<str:token>/", views.buyer, name="buyer"),
    path("b/<str:token>/accept/<int:offer_id>/", views.buyer_accept, name="buyer_accept"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("staff/", views.staff_summary, name="staff"),
    path("staff/export.csv", views.staff_export, name="staff_export"),
]
