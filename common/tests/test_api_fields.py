"""The strict input fields refuse what DRF's own fields would coerce."""

import pytest
from rest_framework import serializers

from common.api.fields import ChoiceField, EmailField, IdField, SlugField, TextField


class Input(serializers.Serializer):
    text = TextField(required=False)
    slug = SlugField(required=False)
    email = EmailField(required=False)
    choice = ChoiceField(choices=["1", "a"], required=False)
    id = IdField(required=False)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("text", 12),
        ("text", True),
        ("text", ["a"]),
        ("text", "lone \ud800 surrogate"),
        ("slug", 7),
        ("email", 1),
        ("choice", 1),
        ("choice", True),
        ("id", True),
        ("id", 1.5),
        ("id", 0),
        ("id", 2**63),
        ("id", "x"),
    ],
)
def test_a_value_of_the_wrong_type_or_range_is_refused_naming_its_field(field, value):
    serializer = Input(data={field: value})

    assert not serializer.is_valid()
    assert list(serializer.errors) == [field]


def test_values_of_the_right_type_pass():
    data = {"text": " hi ", "slug": "a-b", "email": "ada@example.com", "choice": "1", "id": "42"}
    serializer = Input(data=data)

    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data == {**data, "text": "hi", "id": 42}
