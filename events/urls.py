from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("", views.event_list, name="list"),
    path("commitments/", views.commitments, name="commitments"),
    path("commitments/<int:commitment_id>/", views.commitment_detail, name="commitment_detail"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/event.ics", views.event_ical, name="ical"),
    path("<int:event_id>/register/", views.registration_create, name="register"),
    path("<int:event_id>/cancel/", views.registration_cancel, name="cancel_registration"),
    path("<int:event_id>/ticket/", views.ticket, name="ticket"),
    path("<int:event_id>/checkin/", views.checkin, name="checkin"),
    path("<int:event_id>/checkin/<int:registration_id>/", views.checkin_mark, name="checkin_mark"),
    path("<int:event_id>/report/", views.report, name="report"),
    path("<int:event_id>/qa/", views.qa, name="qa"),
    path("<int:event_id>/qa/live/", views.qa_fragment, name="qa_fragment"),
    path("<int:event_id>/qa/ask/", views.question_ask, name="question_ask"),
    path("<int:event_id>/qa/<int:question_id>/edit/", views.question_edit, name="question_edit"),
    path("<int:event_id>/qa/<int:question_id>/withdraw/", views.question_withdraw, name="question_withdraw"),
    path("<int:event_id>/qa/<int:question_id>/vote/", views.question_vote, name="question_vote"),
    path("<int:event_id>/qa/moderate/", views.moderate, name="moderate"),
    path("<int:event_id>/qa/moderate/live/", views.moderate_fragment, name="moderate_fragment"),
    path("<int:event_id>/qa/<int:question_id>/approve/", views.question_approve, name="question_approve"),
    path("<int:event_id>/qa/<int:question_id>/reject/", views.question_reject, name="question_reject"),
    path("<int:event_id>/qa/<int:question_id>/merge/", views.question_merge, name="question_merge"),
    path("<int:event_id>/qa/<int:question_id>/answer/", views.question_answer, name="question_answer"),
    path("<int:event_id>/qa/<int:question_id>/present/", views.question_present, name="question_present"),
    path("<int:event_id>/qa/<int:question_id>/commitment/", views.commitment_create, name="commitment_create"),
    path("<int:event_id>/qa/screen/", views.screen, name="screen"),
    path("<int:event_id>/qa/screen/live/", views.screen_fragment, name="screen_fragment"),
]
