"""Pieces every accounts view uses: schema names, the token input, validation and pagination."""

from rest_framework import serializers

from common.api.fields import TextField
from common.api.pagination import PageNumberPagination
from monolith.accounts.tokens import TOKEN_MAX_LENGTH


class ApiSerializer(serializers.Serializer):
    """A plain serializer named after its qualified name in the OpenAPI schema.

    Views nest their own ``InputSerializer``/``OutputSerializer``; without this
    every one of them would be the same ``Input``/``Output`` schema component.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "Meta" not in cls.__dict__:
            name = cls.__qualname__.replace(".", "").removesuffix("Serializer")
            cls.Meta = type("Meta", (), {"ref_name": name})


class TokenInputSerializer(ApiSerializer):
    token = TextField(max_length=TOKEN_MAX_LENGTH, trim_whitespace=True)


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    """Validate request data with ``serializer_class``; a 400 names the fields otherwise."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ListApiMixin:
    """A view answering pages of results; also how the OpenAPI schema learns the page shape."""

    pagination_class = PageNumberPagination
