"""Learning's pages, mounted at the site's root (``/learn/…``, ``/dashboard/``, ``/leaderboard/``)."""

from django.urls import path

from monolith.learning.pages import catalogue, dashboard, exercise, leaderboard, lessons, submissions

app_name = "learning-pages"

urlpatterns = [
    path("learn/", catalogue.catalogue, name="catalogue"),
    path("learn/modules/<int:pk>/", catalogue.module_detail, name="module"),
    path("learn/lessons/<int:pk>/", lessons.lesson_detail, name="lesson"),
    path("learn/lessons/<int:pk>/read", lessons.lesson_read, name="lesson-read"),
    path("learn/submissions/", submissions.submission_list, name="submissions"),
    path("learn/submissions/<int:pk>/", submissions.submission_detail, name="submission"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("leaderboard/", leaderboard.leaderboard, name="leaderboard"),
    path("learn/exercises/<int:pk>/", exercise.exercise_page, name="exercise"),
    path("learn/exercises/<int:pk>/run", exercise.exercise_run, name="exercise-run"),
    path("learn/exercises/<int:pk>/submit", exercise.exercise_submit, name="exercise-submit"),
]
