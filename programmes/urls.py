from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("mine/", views.my_applications, name="mine"),
    path("results/", views.results, name="results"),
    path("<int:call_id>/", views.call_detail, name="detail"),
    path("<int:call_id>/apply/", views.apply, name="apply"),
    path("<int:call_id>/review/", views.review, name="review"),
    path("<int:call_id>/promote/", views.promote, name="promote"),
    path("applications/<int:application_id>/", views.application_view, name="application"),
    path("applications/<int:application_id>/withdraw/", views.application_withdraw, name="withdraw"),
    path("applications/<int:application_id>/score/", views.score, name="score"),
    path("applications/<int:application_id>/decide/", views.decide, name="decide"),
    path("documents/<uuid:document_id>/", views.document, name="document"),
]
