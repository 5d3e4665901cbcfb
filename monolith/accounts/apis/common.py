"""Pieces every accounts view uses: strict input fields and pagination."""

from rest_framework import serializers

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


class StrictStringMixin:
    """Refuse numbers and booleans where a string is expected, instead of coercing them."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StringField(StrictStringMixin, serializers.CharField):
    pass


class EmailField(StrictStringMixin, serializers.EmailField):
    pass


class ChoiceField(serializers.ChoiceField):
    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """A positive database id that fits in a bigint; never a bool or a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TokenInputSerializer(ApiSerializer):
    token = StringField(max_length=TOKEN_MAX_LENGTH, trim_whitespace=True)


def validated(serializer_class, data, *, partial: bool = False) -> dict:
    """Validate request data with ``serializer_class``; a 400 names the fields otherwise."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class ListApiMixin:
    """A view answering pages of results; also how the OpenAPI schema learns the page shape."""

    pagination_class = PageNumberPagination
