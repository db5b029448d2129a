from django.urls import path

from . import views

app_name = "showcase"

urlpatterns = [
    path("", views.showcase, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/contact/", views.contact, name="contact"),
    path("photos/<int:pk>/<str:variant>/", views.photo, name="photo"),
    path("mine/", views.mine, name="mine"),
    path("mine/new/", views.listing_create, name="listing_create"),
    path("mine/<int:pk>/", views.listing_edit, name="listing_edit"),
    path("mine/<int:pk>/photos/", views.photos_add, name="photos_add"),
    path("mine/<int:pk>/photos/<int:photo_id>/delete/", views.photo_delete, name="photo_delete"),
    path("mine/<int:pk>/photos/<int:photo_id>/move/", views.photo_move, name="photo_move"),
    path("mine/<int:pk>/labels/", views.labels, name="labels"),
    path("mine/labels/<int:batch_id>/", views.batch_detail, name="batch_detail"),
    path("mine/labels/<int:batch_id>/print/", views.batch_print, name="batch_print"),
    path("mine/labels/<int:batch_id>/withdraw/", views.batch_revoke, name="batch_revoke"),
    path("mine/codes/<int:code_id>/withdraw/", views.code_revoke, name="code_revoke"),
]

# Mounted at /v/ by the project's urls (short links on printed labels).
verify_urlpatterns = [path("<str:code>/", views.verify, name="verify")]
