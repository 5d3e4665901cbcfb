"""The signed-in user's email addresses and their verification."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api.fields import EmailField
from common.api.pagination import paginated
from monolith.accounts import selectors
from monolith.accounts.apis.common import (
    ApiSerializer,
    ListApiMixin,
    TokenInputSerializer,
    validated,
)
from monolith.accounts.services.emails import (
    email_address_add,
    email_address_delete,
    email_address_make_primary,
    email_address_verify,
    email_verification_resend,
)


class EmailAddressOutputSerializer(ApiSerializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    primary = serializers.BooleanField()
    verified = serializers.BooleanField()
    verified_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class EmailListApi(ListApiMixin, APIView):
    class InputSerializer(ApiSerializer):
        email = EmailField(max_length=254)

    @extend_schema(responses=EmailAddressOutputSerializer(many=True))
    def get(self, request):
        return paginated(
            request=request,
            view=self,
            queryset=selectors.email_address_list(user=request.user),
            serializer_class=EmailAddressOutputSerializer,
        )

    @extend_schema(request=InputSerializer, responses={201: EmailAddressOutputSerializer})
    def post(self, request):
        data = validated(self.InputSerializer, request.data)
        address = email_address_add(user=request.user, email=data["email"])
        return Response(EmailAddressOutputSerializer(address).data, status=status.HTTP_201_CREATED)


class EmailDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        email_address_delete(address=selectors.email_address_get(user=request.user, pk=pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailMakePrimaryApi(APIView):
    @extend_schema(request=None, responses=EmailAddressOutputSerializer)
    def post(self, request, pk: int):
        address = email_address_make_primary(address=selectors.email_address_get(user=request.user, pk=pk))
        return Response(EmailAddressOutputSerializer(address).data)


class EmailResendApi(APIView):
    @extend_schema(request=None, responses={202: None})
    def post(self, request, pk: int):
        email_verification_resend(address=selectors.email_address_get(user=request.user, pk=pk))
        return Response(status=status.HTTP_202_ACCEPTED)


class EmailVerifyApi(APIView):
    """The token proves the holder reads the mailbox, so no sign-in is needed."""

    permission_classes = [AllowAny]

    @extend_schema(request=TokenInputSerializer, responses=EmailAddressOutputSerializer)
    def post(self, request):
        data = validated(TokenInputSerializer, request.data)
        address = email_address_verify(token=data["token"])
        return Response(EmailAddressOutputSerializer(address).data)
