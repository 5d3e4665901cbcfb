"""Every kind of mail renders in English and French from the contract's context."""

import re
from pathlib import Path

import pytest

from contracts.mail import CONTEXTS, LANGUAGES, MailKind
from extracted.mailer.deliveries.rendering import render_mail
from extracted.mailer.deliveries.tests.factories import example_payload, mail_message

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "mail"
CASES = [(kind.value, language) for kind in MailKind for language in LANGUAGES]


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_every_kind_has_its_three_templates_in_every_language(kind, language):
    for suffix in ("subject.txt", "txt", "html"):
        assert (TEMPLATES / language / f"{kind}.{suffix}").is_file()


@pytest.mark.parametrize(("kind", "language"), CASES)
def test_every_context_value_appears_in_the_text_and_the_html(kind, language):
    context = example_payload(kind)["context"]
    mail = render_mail(kind=kind, language=language, context=context)
    assert "\n" not in mail.subject
    assert mail.subject == mail.subject.strip()
    assert mail.text.endswith("\n")
    assert not mail.text.endswith("\n\n")
    assert "{{" not in mail.text + mail.html
    assert "{%" not in mail.text + mail.html
    for name in CONTEXTS[MailKind(kind)].model_fields:
        value = str(context[name])
        assert value in mail.text, f"{name} missing from the {language} text of {kind}"
        assert value.replace("&", "&amp;") in mail.html, f"{name} missing from the {language} HTML of {kind}"
    assert f'<html lang="{language}">' in mail.html


@pytest.mark.parametrize("kind", [k.value for k in MailKind])
def test_french_mail_is_written_in_french_and_english_mail_in_english(kind):
    context = example_payload(kind)["context"]
    english = render_mail(kind=kind, language="en", context=context)
    french = render_mail(kind=kind, language="fr", context=context)
    assert english.subject != french.subject
    assert re.search(r"\b(Hello|Congratulations|Thank you)\b", english.text)
    assert re.search(r"\b(Bonjour|Félicitations)\b", french.text)
    assert "L'équipe PolyCode" in french.text
    assert "The PolyCode team" in english.text


def test_plain_text_and_subject_are_not_html_escaped_but_html_is():
    message = mail_message("team_invitation", language="en", team_name="Rock & <Roll>")
    mail = render_mail(kind="team_invitation", language="en", context=message.payload.context.model_dump())
    assert "Rock & <Roll>" in mail.subject
    assert '"Rock & <Roll>"' in mail.text
    assert "Rock &amp; &lt;Roll&gt;" in mail.html
    assert "<Roll>" not in mail.html
