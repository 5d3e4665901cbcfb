from django.urls import path

from monolith.switches import apis

app_name = "switches"

urlpatterns = [
    path("", apis.SwitchListApi.as_view(), name="list"),
    path("<str:name>", apis.SwitchDetailApi.as_view(), name="detail"),
]
