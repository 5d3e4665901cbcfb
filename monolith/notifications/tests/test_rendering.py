from pathlib import Path

import pytest

from monolith.notifications.kinds import CONTEXT_KEYS, LANGUAGES, MailKind
from monolith.notifications.rendering import render_mail, template_names

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"

SAMPLE = {
    "username": "ada",
    "email": "ada@example.com",
    "verify_url": "https://polycode.example/emails/verify/TOKEN",
    "ttl_hours": 48,
    "team_name": "Rock & <Roll>",
    "inviter_username": "grace",
    "accept_url": "https://polycode.example/teams/invitations/TOKEN",
    "ttl_days": 7,
    "captain_username": "grace",
    "team_url": "https://polycode.example/teams/3",
    "reset_url": "https://polycode.example/password/reset/Mg/TOKEN/",
    "campaign_title": "Winter sprint",
    "rank": 2,
    "participants": 30,
    "points_awarded": 50,
    "scoreboard_url": "https://polycode.example/campaigns/7/scoreboard",
    "certificate_name": "Certified problem solver, level 1",
    "awarded_on": "2026-12-05",
    "certificate_url": "https://polycode.example/certificates/q7Xo2bVd0kK9Zr1mT4uW8g",
    "candidate_name": "Linus",
    "assessment_title": "Backend screening",
    "duration_minutes": 90,
    "expires_on": "2026-12-12",
    "start_url": "https://polycode.example/assessment/start/Zt81kP",
}


def context_for(kind: str) -> dict:
    return {key: SAMPLE[key] for key in CONTEXT_KEYS[kind]}


def test_every_kind_has_its_context_keys_declared():
    assert set(CONTEXT_KEYS) == set(MailKind.values)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", MailKind.values)
def test_every_kind_has_three_templates_in_every_language(kind, language):
    for name in template_names(kind=kind, language=language):
        assert (TEMPLATES / name).is_file(), name


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", MailKind.values)
def test_every_kind_renders_completely_in_every_language(kind, language):
    mail = render_mail(kind=kind, language=language, context=context_for(kind))

    assert mail.subject
    assert "\n" not in mail.subject
    assert mail.text.endswith("\n")
    assert not mail.text.endswith("\n\n")
    assert f'<html lang="{language}">' in mail.html
    for part in (mail.subject, mail.text, mail.html):
        assert "{{" not in part
        assert "{%" not in part
    # Every value the kind needs shows up in the plain text (numbers included).
    for key in CONTEXT_KEYS[kind]:
        if key not in ("team_name", "email"):
            assert str(SAMPLE[key]) in mail.text, key


@pytest.mark.parametrize("kind", MailKind.values)
def test_french_mail_is_really_french(kind):
    english = render_mail(kind=kind, language="en", context=context_for(kind))
    french = render_mail(kind=kind, language="fr", context=context_for(kind))

    assert english.subject != french.subject
    assert "L'équipe PolyCode" in french.text or "Bonjour" in french.text
    assert "Hello" in english.text
    assert "Hello" not in french.text


@pytest.mark.parametrize("kind", [k for k in MailKind.values if "team_name" in CONTEXT_KEYS[k]])
def test_text_parts_are_not_html_escaped_but_html_is(kind):
    mail = render_mail(kind=kind, language="en", context=context_for(kind))

    assert "Rock & <Roll>" in mail.subject
    assert "Rock & <Roll>" in mail.text
    assert "Rock &amp; &lt;Roll&gt;" in mail.html
    assert "<Roll>" not in mail.html
