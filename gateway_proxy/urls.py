from django.contrib import admin
from django.urls import include, path

from common.api.health import database_health
from gateway_proxy import views

urlpatterns = [
    path("", views.home, name="home"),
    path("logout/", views.logout, name="logout"),
    path("health", views.health, name="health"),
    path("ready", database_health, name="ready"),
    path("api/v1/dashboard", views.learner_dashboard, name="learner-dashboard"),
    path("api/v1/dashboard/", views.learner_dashboard),
    path("gateway/dashboard/", views.migration_dashboard, name="migration-dashboard"),
    path("gateway/dashboard/step", views.migration_step, name="migration-step"),
    path("gateway/login-failed/", views.login_failed, name="login-failed"),
    path("gateway/admin/", admin.site.urls),
    path("oidc/", include("mozilla_django_oidc.urls")),
]

handler400 = "common.api.errors.json_400"
handler403 = "common.api.errors.json_403"
handler404 = "common.api.errors.json_404"
handler500 = "common.api.errors.json_500"
