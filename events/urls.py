from django.urls import path

from .views import commitments, events, moderation, qa, registration, report

app_name = "events"

urlpatterns = [
    path("", events.event_list, name="list"),
    path("commitments/", commitments.commitments, name="commitments"),
    path("commitments/<int:commitment_id>/", commitments.commitment_detail, name="commitment_detail"),
    path("<int:event_id>/", events.event_detail, name="detail"),
    path("<int:event_id>/event.ics", events.event_ical, name="ical"),
    path("<int:event_id>/register/", registration.registration_create, name="register"),
    path("<int:event_id>/confirm/", registration.registration_confirm, name="confirm_place"),
    path("<int:event_id>/cancel/", registration.registration_cancel, name="cancel_registration"),
    path("<int:event_id>/ticket/", registration.ticket, name="ticket"),
    path("<int:event_id>/checkin/", registration.checkin, name="checkin"),
    path("<int:event_id>/checkin/<int:registration_id>/", registration.checkin_mark, name="checkin_mark"),
    path("<int:event_id>/report/", report.report, name="report"),
    path("<int:event_id>/qa/", qa.qa, name="qa"),
    path("<int:event_id>/qa/live/", qa.qa_fragment, name="qa_fragment"),
    path("<int:event_id>/qa/ask/", qa.question_ask, name="question_ask"),
    path("<int:event_id>/qa/<int:question_id>/edit/", qa.question_edit, name="question_edit"),
    path("<int:event_id>/qa/<int:question_id>/withdraw/", qa.question_withdraw, name="question_withdraw"),
    path("<int:event_id>/qa/<int:question_id>/vote/", qa.question_vote, name="question_vote"),
    path("<int:event_id>/qa/moderate/", moderation.moderate, name="moderate"),
    path("<int:event_id>/qa/moderate/live/", moderation.moderate_fragment, name="moderate_fragment"),
    path("<int:event_id>/qa/<int:question_id>/approve/", moderation.question_approve, name="question_approve"),
    path("<int:event_id>/qa/<int:question_id>/reject/", moderation.question_reject, name="question_reject"),
    path("<int:event_id>/qa/<int:question_id>/merge/", moderation.question_merge, name="question_merge"),
    path("<int:event_id>/qa/<int:question_id>/answer/", moderation.question_answer, name="question_answer"),
    path("<int:event_id>/qa/<int:question_id>/route/", moderation.question_route, name="question_route"),
    path("<int:event_id>/qa/<int:question_id>/present/", moderation.question_present, name="question_present"),
    path("<int:event_id>/qa/<int:question_id>/commitment/", commitments.commitment_create, name="commitment_create"),
    path("<int:event_id>/qa/screen/", moderation.screen, name="screen"),
    path("<int:event_id>/qa/screen/live/", moderation.screen_fragment, name="screen_fragment"),
]
