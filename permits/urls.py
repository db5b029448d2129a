from django.urls import path

from . import views

app_name = "permits"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<slug:kind>/", views.dashboard_list, name="dashboard_list"),
    path("cases/new/", views.case_open, name="case_open"),
    path("workers/new/", views.worker_add, name="worker_add"),
    path("workers/<int:worker_id>/leave/", views.worker_leave, name="worker_leave"),
    path("<int:case_id>/", views.detail, name="detail"),
    path("<int:case_id>/advance/", views.case_advance, name="case_advance"),
    path("<int:case_id>/back/", views.case_back, name="case_back"),
    path("<int:case_id>/issue/", views.case_issue, name="case_issue"),
    path("<int:case_id>/checklist/<int:item_id>/", views.checklist_tick, name="checklist_tick"),
    path("<int:case_id>/documents/", views.document_upload, name="document_upload"),
    path("documents/<uuid:document_id>/", views.document, name="document"),
    path("documents/<uuid:document_id>/delete/", views.document_delete, name="document_delete"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
