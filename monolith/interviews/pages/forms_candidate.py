"""Forms of the candidate's attempt: an answer, and a report of integrity signals."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from monolith.learning.models import MAX_CODE_BYTES, ProgrammingLanguage


class AnswerForm(forms.Form):
    language = forms.ChoiceField(label=pgettext_lazy("programming language", "Language"))
    code = forms.CharField(
        label=gettext_lazy("Your code"),
        strip=False,
        widget=forms.Textarea,
        error_messages={"required": gettext_lazy("Write some code first.")},
    )

    def __init__(self, *args, languages: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ProgrammingLanguage.choices)
        self.fields["language"].choices = [(lang, labels.get(lang, lang)) for lang in languages]

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if len(code.encode("utf-8", "replace")) > MAX_CODE_BYTES:
            raise forms.ValidationError(
                _("Your code is too long: at most %(limit)s KiB.") % {"limit": MAX_CODE_BYTES // 1024}
            )
        return code


class SignalsForm(forms.Form):
    #: Sizes of the pastes since the last report, comma-separated (``"12,480"``).
    pastes = forms.CharField(required=False, max_length=2000)
    leaves = forms.IntegerField(min_value=0, max_value=1000)
    away_seconds = forms.IntegerField(min_value=0, max_value=24 * 3600)

    def clean_pastes(self) -> list[int]:
        raw = self.cleaned_data["pastes"].strip()
        if not raw:
            return []
        try:
            sizes = [int(part) for part in raw.split(",")]
        except ValueError:
            raise forms.ValidationError(_("A list of numbers separated by commas.")) from None
        if any(size < 0 or size > 10_000_000 for size in sizes):
            raise forms.ValidationError(_("A list of numbers separated by commas."))
        return sizes
