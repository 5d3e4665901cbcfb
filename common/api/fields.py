"""Strict input fields for every service's API: what the client sent, or a 400 naming the field.

DRF's own fields coerce: ``CharField`` turns ``12`` into ``"12"``, ``IntegerField``
takes ``true`` as ``1``, ``ChoiceField`` matches ``1`` against ``"1"``. A client
that sends the wrong type has a bug, and is told so instead.
"""

from rest_framework import serializers

MAX_ID = 2**63 - 1


class StrictTextMixin:
    """Text only: a number, a boolean or a list is refused, and so is text that is not valid Unicode."""

    default_error_messages = {
        "not_text": "Must be a string.",
        "bad_text": "Must be valid Unicode text.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: no database or mail can store it
            self.fail("bad_text")
        return super().to_internal_value(data)


class TextField(StrictTextMixin, serializers.CharField):
    pass


class SlugField(StrictTextMixin, serializers.SlugField):
    pass


class EmailField(StrictTextMixin, serializers.EmailField):
    pass


class ChoiceField(serializers.ChoiceField):
    """A choice given as a string (``True`` or ``1`` never match a choice by accident)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class IdField(serializers.IntegerField):
    """A positive database id that fits in a bigint; never a boolean or a float."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        return super().to_internal_value(data)
