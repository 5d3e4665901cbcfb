"""Teams: membership, captaincy and invitations by email."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.fields import ChoiceField, EmailField, IdField, TextField
from common.api.pagination import paginated
from monolith.accounts import selectors
from monolith.accounts.apis.common import (
    ApiSerializer,
    ListApiMixin,
    TokenInputSerializer,
    validated,
)
from monolith.accounts.models import TeamKind
from monolith.accounts.services import teams as services


class UserRefSerializer(ApiSerializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class TeamOutputSerializer(ApiSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    kind = serializers.CharField()
    captain = UserRefSerializer()
    members_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class MemberOutputSerializer(ApiSerializer):
    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    is_captain = serializers.SerializerMethodField()
    joined_at = serializers.DateTimeField()

    def get_is_captain(self, membership) -> bool:
        return membership.user_id == membership.team.captain_id


class InvitationOutputSerializer(ApiSerializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    status = serializers.CharField(source="effective_status")
    invited_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    responded_at = serializers.DateTimeField(allow_null=True)


class TeamRefSerializer(ApiSerializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _team_response(request, team_pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    team = selectors.team_get(user=request.user, pk=team_pk)
    return Response(TeamOutputSerializer(team).data, status=code)


class TeamListApi(ListApiMixin, APIView):
    class InputSerializer(ApiSerializer):
        name = TextField(max_length=100)
        description = TextField(max_length=1000, required=False, allow_blank=True, trim_whitespace=False)
        kind = ChoiceField(choices=TeamKind.choices, required=False)

    @extend_schema(responses=TeamOutputSerializer(many=True))
    def get(self, request):
        return paginated(
            request=request,
            view=self,
            queryset=selectors.team_list(user=request.user),
            serializer_class=TeamOutputSerializer,
        )

    @extend_schema(request=InputSerializer, responses={201: TeamOutputSerializer})
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        team = services.team_create(captain=request.user, **data)
        return _team_response(request, team.pk, code=status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    class InputSerializer(ApiSerializer):
        name = TextField(max_length=100)
        description = TextField(max_length=1000, allow_blank=True, trim_whitespace=False)

    @extend_schema(responses=TeamOutputSerializer)
    def get(self, request, pk: int):
        return _team_response(request, pk)

    @extend_schema(request=InputSerializer, responses=TeamOutputSerializer)
    def patch(self, request, pk: int):
        team = selectors.team_get(user=request.user, pk=pk)
        data = validated(self.InputSerializer, request.data, partial=True)
        services.team_update(team=team, actor=request.user, data=data)
        return _team_response(request, pk)

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        services.team_delete(team=selectors.team_get(user=request.user, pk=pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamMemberListApi(ListApiMixin, APIView):
    @extend_schema(responses=MemberOutputSerializer(many=True))
    def get(self, request, pk: int):
        team = selectors.team_get(user=request.user, pk=pk)
        return paginated(
            request=request,
            view=self,
            queryset=selectors.team_member_list(team=team),
            serializer_class=MemberOutputSerializer,
        )


class TeamMemberRemoveApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int, user_id: int):
        team = selectors.team_get(user=request.user, pk=pk)
        services.team_member_remove(team=team, actor=request.user, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamLeaveApi(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, pk: int):
        services.team_leave(team=selectors.team_get(user=request.user, pk=pk), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class TeamTransferApi(APIView):
    class InputSerializer(ApiSerializer):
        user_id = IdField()

    @extend_schema(request=InputSerializer, responses=TeamOutputSerializer)
    def post(self, request, pk: int):
        team = selectors.team_get(user=request.user, pk=pk)
        data = validated(self.InputSerializer, request.data)
        services.team_captain_transfer(team=team, actor=request.user, user_id=data["user_id"])
        return _team_response(request, pk)


class TeamInvitationListApi(ListApiMixin, APIView):
    class InputSerializer(ApiSerializer):
        email = EmailField(max_length=254)

    @extend_schema(responses=InvitationOutputSerializer(many=True))
    def get(self, request, pk: int):
        team = selectors.team_get(user=request.user, pk=pk)
        return paginated(
            request=request,
            view=self,
            queryset=selectors.team_invitation_list(team=team, user=request.user),
            serializer_class=InvitationOutputSerializer,
        )

    @extend_schema(request=InputSerializer, responses={201: InvitationOutputSerializer})
    def post(self, request, pk: int):
        team = selectors.team_get(user=request.user, pk=pk)
        data = validated(self.InputSerializer, request.data)
        invitation = services.team_invitation_create(team=team, inviter=request.user, email=data["email"])
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)


class TeamInvitationRevokeApi(APIView):
    @extend_schema(request=None, responses=InvitationOutputSerializer)
    def post(self, request, pk: int, invitation_id: int):
        team = selectors.team_get(user=request.user, pk=pk)
        invitation = selectors.team_invitation_get(team=team, pk=invitation_id)
        invitation = services.team_invitation_revoke(team=team, actor=request.user, invitation=invitation)
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationAcceptApi(APIView):
    class OutputSerializer(ApiSerializer):
        team = TeamRefSerializer()
        joined_at = serializers.DateTimeField()

    @extend_schema(request=TokenInputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = validated(TokenInputSerializer, request.data)
        membership = services.team_invitation_accept(user=request.user, token=data["token"])
        return Response(self.OutputSerializer(membership).data)


class InvitationDeclineApi(APIView):
    class OutputSerializer(ApiSerializer):
        team = TeamRefSerializer()
        status = serializers.CharField()

    @extend_schema(request=TokenInputSerializer, responses=OutputSerializer)
    def post(self, request):
        data = validated(TokenInputSerializer, request.data)
        invitation = services.team_invitation_decline(user=request.user, token=data["token"])
        return Response(self.OutputSerializer(invitation).data)
