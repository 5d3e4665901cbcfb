"""Interview pages at the root; the gateway routes ``/recruit/``, ``/assessment/`` and ``/pad/`` here."""

from django.urls import path

from monolith.interviews.pages import candidate, pads, recruit

A = "recruit/assessments/<int:pk>/"
T = "assessment/<uuid:public_id>/"

urlpatterns = [
    path("recruit/", recruit.home, name="recruit"),
    path("recruit/assessments/new", recruit.assessment_new, name="recruit-assessment-new"),
    path(A, recruit.assessment_detail, name="recruit-assessment"),
    path(A + "edit", recruit.assessment_edit, name="recruit-assessment-edit"),
    path(A + "invite", recruit.invite, name="recruit-invite"),
    path(A + "invite-csv", recruit.invite_csv, name="recruit-invite-csv"),
    path(A + "results.csv", recruit.export, name="recruit-export"),
    path(A + "candidates/<int:invitation_id>/", recruit.candidate, name="recruit-candidate"),
    path(A + "candidates/<int:invitation_id>/revoke", recruit.invitation_revoke, name="recruit-revoke"),
    path(A + "candidates/<int:invitation_id>/resend", recruit.invitation_resend, name="recruit-resend"),
    path(A + "candidates/<int:invitation_id>/erase", recruit.candidate_erase, name="recruit-erase"),
    path("recruit/exercises/new", recruit.exercise_form, name="recruit-exercise-new"),
    path("recruit/exercises/<int:exercise_id>/", recruit.exercise_form, name="recruit-exercise"),
    path("recruit/pads/", pads.pad_list, name="recruit-pads"),
    path("recruit/pads/<uuid:public_id>/", pads.pad_page, name="recruit-pad"),
    path("recruit/pads/<uuid:public_id>/notes", pads.pad_notes, name="recruit-pad-notes"),
    path("recruit/pads/<uuid:public_id>/end", pads.pad_end, name="recruit-pad-end"),
    path("pad/<str:token>", pads.pad_candidate, name="pad-candidate"),
    path("assessment/start/<str:token>", candidate.start, name="assessment-start"),
    path(T, candidate.attempt_page, name="assessment-attempt"),
    path(T + "timer", candidate.attempt_timer, name="assessment-timer"),
    path(T + "finish", candidate.attempt_finish, name="assessment-finish"),
    path(T + "signals", candidate.signals, name="assessment-signals"),
    path(T + "exercises/<int:index>/save", candidate.answer_save, name="assessment-save"),
    path(T + "exercises/<int:index>/run", candidate.answer_run, name="assessment-run"),
    path(T + "exercises/<int:index>/submit", candidate.answer_submit, name="assessment-submit"),
]
