from django.urls import path

from . import views

app_name = "packaging"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("<int:order_id>/", views.order_detail, name="detail"),
    path("<int:order_id>/line/", views.line_set, name="line"),
    path("<int:order_id>/line/remove/", views.line_remove, name="line_remove"),
    path("<int:order_id>/label/", views.proof_upload, name="proof_upload"),
    path("<int:order_id>/summary.xlsx", views.summary, name="summary"),
    path("labels/<uuid:proof_id>/", views.proof_file, name="proof_file"),
]
