"""Campaign pages, mounted at the site's root (the gateway routes ``/campaigns/`` here)."""

from django.urls import path

from monolith.campaigns.pages import views

urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaigns"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/register", views.campaign_register, name="campaign-register"),
    path("campaigns/<int:pk>/exercises/<str:label>/", views.campaign_exercise, name="campaign-exercise"),
    path(
        "campaigns/<int:pk>/exercises/<str:label>/submit",
        views.campaign_exercise_submit,
        name="campaign-submit",
    ),
    path("campaigns/<int:pk>/scoreboard", views.scoreboard, name="campaign-scoreboard"),
    path("campaigns/<int:pk>/scoreboard/board", views.scoreboard_board, name="campaign-board"),
    path(
        "campaigns/<int:pk>/participants/<int:registration_id>/",
        views.participant,
        name="campaign-participant",
    ),
    path("campaigns/<int:pk>/manage/", views.manage, name="campaign-manage"),
    path("campaigns/<int:pk>/manage/rejudge", views.manage_rejudge, name="campaign-rejudge"),
    path("campaigns/<int:pk>/manage/results", views.manage_results, name="campaign-results"),
]
