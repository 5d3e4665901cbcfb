"""The words a page shows in a language, read from the platform's own catalogues (.po, compiled
at set-up), so one journey runs in English and in French with the same steps."""

from django.utils import translation


class Words:
    def __init__(self, language: str):
        self.language = language

    def __call__(self, message: str, **values) -> str:
        with translation.override(self.language):
            text = translation.gettext(message)
        return text % values if values else text

    def context(self, context: str, message: str) -> str:
        """A word whose meaning depends on ``context`` ({% translate "…" context "…" %})."""
        with translation.override(self.language):
            return translation.pgettext(context, message)

    def plural(self, singular: str, plural: str, count: int, **values) -> str:
        with translation.override(self.language):
            text = translation.ngettext(singular, plural, count)
        return text % values
