"""Learning API, mounted at ``/api/v1/learning/``."""

from django.urls import path, re_path

from monolith.learning import apis

app_name = "learning"

urlpatterns = [
    path("modules/", apis.ModuleListApi.as_view(), name="module-list"),
    path("modules/<int:pk>/", apis.ModuleDetailApi.as_view(), name="module-detail"),
    path("modules/<int:pk>/progress/", apis.ModuleProgressApi.as_view(), name="module-progress"),
    path("contents/", apis.ContentCreateApi.as_view(), name="content-create"),
    path("contents/<int:pk>/", apis.ContentDetailApi.as_view(), name="content-detail"),
    re_path(r"^exercises/(?P<pk>[0-9]+)/run/?$", apis.ExerciseRunApi.as_view(), name="exercise-run"),
    re_path(r"^exercises/(?P<pk>[0-9]+)/submit/?$", apis.ExerciseSubmitApi.as_view(), name="exercise-submit"),
    path("submissions/", apis.SubmissionListApi.as_view(), name="submission-list"),
    path("submissions/<int:pk>/", apis.SubmissionDetailApi.as_view(), name="submission-detail"),
    path("progress/", apis.ProgressListApi.as_view(), name="progress-list"),
    path("validators/", apis.ValidatorCreateApi.as_view(), name="validator-create"),
    path("validators/<int:pk>/", apis.ValidatorDetailApi.as_view(), name="validator-detail"),
    path("editor-settings/", apis.EditorSettingCreateApi.as_view(), name="editor-setting-create"),
    path("editor-settings/<int:pk>/", apis.EditorSettingDetailApi.as_view(), name="editor-setting-detail"),
]
