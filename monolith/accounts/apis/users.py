"""Registration, own profile, wallet, ledger and the leaderboard."""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils import translation
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.fields import ChoiceField, EmailField, TextField
from common.api.pagination import paginated
from monolith.accounts import selectors
from monolith.accounts.apis.common import (
    ApiSerializer,
    ListApiMixin,
    validated,
)
from monolith.accounts.models import EditorKeymap, EditorTheme, Language, ProgrammingLanguage, User
from monolith.accounts.services.users import user_profile_update, user_register
from monolith.accounts.services.wallet import wallet_balance


class ProfileOutputSerializer(serializers.ModelSerializer):
    # Blank until the learner picks one: the schema must allow "" besides the languages.
    preferred_editing_language = serializers.ChoiceField(
        choices=ProgrammingLanguage.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "description",
            "preferred_language",
            "preferred_editing_language",
            "editor_theme",
            "editor_keymap",
            "date_joined",
        ]
        read_only_fields = fields


class RegisterApi(APIView):
    permission_classes = [AllowAny]

    class InputSerializer(ApiSerializer):
        username = TextField(max_length=150, validators=[UnicodeUsernameValidator()])
        email = EmailField(max_length=254)
        password = TextField(max_length=128, trim_whitespace=False, write_only=True)
        preferred_language = ChoiceField(choices=Language.choices, required=False)

    @extend_schema(request=InputSerializer, responses={201: ProfileOutputSerializer})
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        # Without an explicit choice, the language the request was served in
        # (Accept-Language) is the best guess for the verification mail.
        language = data.get("preferred_language") or _supported(translation.get_language())
        user = user_register(
            username=data["username"],
            email=data["email"],
            password=data["password"],
            preferred_language=language,
        )
        return Response(ProfileOutputSerializer(user).data, status=status.HTTP_201_CREATED)


def _supported(language: str | None) -> str:
    code = (language or "").split("-")[0]
    return code if code in Language.values else Language.ENGLISH


class MeApi(APIView):
    class InputSerializer(ApiSerializer):
        description = TextField(max_length=2000, allow_blank=True, trim_whitespace=False)
        preferred_language = ChoiceField(choices=Language.choices)
        preferred_editing_language = ChoiceField(choices=ProgrammingLanguage.choices, allow_blank=True)
        editor_theme = ChoiceField(choices=EditorTheme.choices)
        editor_keymap = ChoiceField(choices=EditorKeymap.choices)

    @extend_schema(responses=ProfileOutputSerializer)
    def get(self, request):
        return Response(ProfileOutputSerializer(request.user).data)

    @extend_schema(request=InputSerializer, responses=ProfileOutputSerializer)
    def patch(self, request):
        data = validated(self.InputSerializer, request.data, partial=True)
        user = user_profile_update(user=request.user, data=data)
        return Response(ProfileOutputSerializer(user).data)


class WalletApi(APIView):
    class OutputSerializer(ApiSerializer):
        balance = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer)
    def get(self, request):
        return Response(self.OutputSerializer({"balance": wallet_balance(user=request.user)}).data)


class LedgerApi(ListApiMixin, APIView):
    class OutputSerializer(ApiSerializer):
        id = serializers.IntegerField()
        amount = serializers.IntegerField()
        reference = serializers.CharField()
        reason = serializers.CharField()
        created_at = serializers.DateTimeField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return paginated(
            request=request,
            view=self,
            queryset=selectors.ledger_entry_list(user=request.user),
            serializer_class=self.OutputSerializer,
        )


class LeaderboardApi(ListApiMixin, APIView):
    class OutputSerializer(ApiSerializer):
        rank = serializers.IntegerField()
        username = serializers.CharField()
        points = serializers.IntegerField()

    @extend_schema(responses=OutputSerializer(many=True))
    def get(self, request):
        return paginated(
            request=request,
            view=self,
            queryset=selectors.leaderboard(),
            serializer_class=self.OutputSerializer,
            count=selectors.leaderboard_size(),
        )
