"""Forms of the account pages: what a person types, checked before a service sees it.

The services check again (uniqueness, password strength, team rules) and their
refusals are put back on the form's field (``errors.form_refused``).
"""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from monolith.accounts.models import EditorKeymap, EditorTheme, Language, ProgrammingLanguage, User


class FocusesFirstError:
    """After a refused submit the cursor waits in the first field to fix, where a keyboard
    or screen-reader user would otherwise have to search for it."""

    def add_error(self, field, error):
        super().add_error(field, error)
        first = next((name for name in self.fields if name in self.errors), None)
        for name, form_field in self.fields.items():
            if name == first:
                form_field.widget.attrs["autofocus"] = True
            else:
                form_field.widget.attrs.pop("autofocus", None)


class SignupForm(FocusesFirstError, forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and @ . + - _ only; shown on the leaderboard."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We send a link to confirm it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    preferred_language = forms.ChoiceField(label=_("Language"), choices=Language.choices)

    def clean(self):
        data = super().clean()
        password, again = data.get("password"), data.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class ProfileForm(FocusesFirstError, forms.ModelForm):
    class Meta:
        model = User
        fields = [
            "preferred_language",
            "preferred_editing_language",
            "editor_theme",
            "editor_keymap",
            "description",
        ]
        labels = {
            "preferred_language": _("Language of PolyCode"),
            "preferred_editing_language": _("Programming language the editor opens with"),
            "editor_theme": _("Editor theme"),
            "editor_keymap": _("Editor key bindings"),
            "description": _("About you"),
        }
        help_texts = {
            "preferred_editing_language": _("Used when an exercise offers it."),
            "description": _("Shown on your profile; at most 2000 characters."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Choice labels of the model are English words; these are the page's.
        self.fields["editor_theme"].choices = [(EditorTheme.LIGHT, _("Light")), (EditorTheme.DARK, _("Dark"))]
        self.fields["editor_keymap"].choices = [
            (EditorKeymap.DEFAULT, _("Default")),
            (EditorKeymap.VIM, "Vim"),
            (EditorKeymap.EMACS, "Emacs"),
        ]
        self.fields["preferred_editing_language"].choices = [
            ("", _("No preference")),
            *ProgrammingLanguage.choices,
        ]
        self.fields["description"].widget.attrs["rows"] = 4


class EmailAddForm(FocusesFirstError, forms.Form):
    email = forms.EmailField(
        label=_("New email address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class TeamCreateForm(FocusesFirstError, forms.Form):
    name = forms.CharField(label=_("Team name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InviteForm(FocusesFirstError, forms.Form):
    email = forms.EmailField(
        label=_("Invite by email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
