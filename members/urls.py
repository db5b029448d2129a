from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/verify/", views.join_verify, name="join_verify"),
    path("me/", views.dashboard, name="dashboard"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("me/change-request/", views.change_request, name="change_request"),
    path("me/colleagues/invite/", views.colleague_invite, name="colleague_invite"),
    path("me/colleagues/<int:pk>/remove/", views.colleague_remove, name="colleague_remove"),
    path("me/invitations/<int:pk>/cancel/", views.invitation_cancel, name="invitation_cancel"),
    path("me/messages/<int:pk>/reply/", views.message_reply, name="message_reply"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("directory/", views.directory, name="directory"),
    path("directory/<int:pk>/", views.directory_detail, name="directory_detail"),
    path("directory/<int:pk>/contact/", views.contact, name="contact"),
    path("<int:pk>/logo/<str:variant>/", views.logo, name="logo"),
]
