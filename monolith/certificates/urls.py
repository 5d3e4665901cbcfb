"""Certification pages at the root; the gateway routes ``/exams/``, ``/certificates/``, ``/u/`` here."""

from django.urls import path

from monolith.certificates.pages import certificates, exams

urlpatterns = [
    path("exams/<int:module_id>/", exams.exam_home, name="exam"),
    path("exams/<int:module_id>/start", exams.exam_start, name="exam-start"),
    path("exams/attempts/<int:pk>/", exams.attempt_page, name="exam-attempt"),
    path("exams/attempts/<int:pk>/timer", exams.attempt_timer, name="exam-timer"),
    path("exams/attempts/<int:pk>/finish", exams.attempt_finish, name="exam-finish"),
    path("exams/attempts/<int:pk>/exercises/<int:exercise_id>/save", exams.answer_save, name="exam-save"),
    path("exams/attempts/<int:pk>/exercises/<int:exercise_id>/run", exams.answer_run, name="exam-run"),
    path(
        "exams/attempts/<int:pk>/exercises/<int:exercise_id>/submit", exams.answer_submit, name="exam-submit"
    ),
    path("certificates/", certificates.certificate_list, name="certificates"),
    path("certificates/profile/", certificates.profile_update, name="certificates-profile"),
    path("certificates/<str:public_id>", certificates.certificate_verify, name="certificate"),
    path("certificates/<str:public_id>/pdf", certificates.certificate_download, name="certificate-pdf"),
    path("certificates/<str:public_id>/revoke", certificates.certificate_revoke, name="certificate-revoke"),
    path(
        "certificates/<str:public_id>/visibility",
        certificates.certificate_visibility,
        name="certificate-visibility",
    ),
    path("u/<str:username>/", certificates.public_profile, name="public-profile"),
]
