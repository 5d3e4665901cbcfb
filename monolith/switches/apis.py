"""The strangler switches over HTTP (``/api/v1/switches``), for the gateway's ``strangle`` control.

Callers: a staff account (through the gateway), or the gateway itself calling on its own with
its service assertion (``SERVICE_ASSERTION_CALLERS`` includes ``gateway``); the gateway passes
who acted (``cli:<user>``, ``dashboard:<user>``) and why, recorded in the switch audit log.
"""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from common.identity.permissions import CONTROL_PLANE, is_control_plane
from monolith.switches import selectors
from monolith.switches.services import switch_set


class IsStaffOrControlPlane(BasePermission):
    def has_permission(self, request, view) -> bool:
        if is_control_plane(request):
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_active and user.is_staff)


class SwitchOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    active = serializers.BooleanField()


class SwitchChangeOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    actor = serializers.CharField()
    at = serializers.DateTimeField()
    before = serializers.BooleanField(allow_null=True)
    after = serializers.BooleanField(allow_null=True)
    reason = serializers.CharField()


class SwitchesOutputSerializer(serializers.Serializer):
    switches = SwitchOutputSerializer(many=True)
    history = SwitchChangeOutputSerializer(many=True)


def _body() -> dict:
    states = selectors.switch_states()
    return {
        "switches": [{"name": name, "active": active} for name, active in states.items()],
        "history": SwitchChangeOutputSerializer(selectors.recent_changes(limit=50), many=True).data,
    }


class SwitchListApi(APIView):
    permission_classes = [IsStaffOrControlPlane]

    @extend_schema(responses=SwitchesOutputSerializer)
    def get(self, request):
        return Response(_body())


class SwitchDetailApi(APIView):
    permission_classes = [IsStaffOrControlPlane]

    class InputSerializer(serializers.Serializer):
        active = serializers.BooleanField()
        reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
        actor = serializers.CharField(max_length=140, required=False, default="")

    @extend_schema(request=InputSerializer, responses=SwitchesOutputSerializer)
    def put(self, request, name: str):
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if is_control_plane(request):
            actor = data.validated_data["actor"] or CONTROL_PLANE
        else:
            actor = f"api:{request.user.get_username()}"
        try:
            switch_set(
                name=name,
                active=data.validated_data["active"],
                actor=actor,
                reason=data.validated_data["reason"],
            )
        except ValidationError as exc:
            raise ApiValidationError(exc.message_dict) from exc
        return Response(_body())
