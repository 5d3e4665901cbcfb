"""The mailer sends the same mail as the monolith's legacy path, for every kind and language.

Both template trees are read as files (no monolith code is imported): the
legacy tree is rendered with a standalone template engine and the legacy
rendering rules, the mailer's with its own renderer, and the subject, text
and HTML must be identical for the same request.
"""

from pathlib import Path

import pytest
from django.template import Context, Engine
from django.utils import translation

from contracts.mail import LANGUAGES, MailKind
from extracted.mailer.deliveries.rendering import render_mail
from extracted.mailer.deliveries.tests.factories import example_payload

ROOT = Path(__file__).resolve().parents[4]
LEGACY = ROOT / "monolith" / "notifications" / "templates"
MAILER = Path(__file__).resolve().parents[1] / "templates"


def kinds_in(tree: Path) -> set[str]:
    return {p.name.removesuffix(".subject.txt") for p in (tree / "mail" / "en").glob("*.subject.txt")}


LEGACY_KINDS = sorted(kinds_in(LEGACY))
TRICKY = {"username": "Zoé <b>O'Neil</b>", "team_name": 'Rock & "Roll"', "item_name": "Hint: a < b && c > d"}


def render_legacy(*, kind: str, language: str, context: dict) -> tuple[str, str, str]:
    # The legacy rendering rules (monolith/notifications/rendering.py), on the legacy files.
    engine = Engine(dirs=[str(LEGACY)], autoescape=True)
    base = f"mail/{language}/{kind}"
    with translation.override(language):
        subject = " ".join(engine.get_template(f"{base}.subject.txt").render(Context(context)).split())
        text = engine.get_template(f"{base}.txt").render(Context(context)).strip() + "\n"
        html = engine.get_template(f"{base}.html").render(Context(context))
    return subject, text, html


def test_the_legacy_tree_exists_and_has_mail():
    assert LEGACY_KINDS, f"no legacy mail templates under {LEGACY}"


def test_every_legacy_mail_kind_is_a_contract_kind_the_mailer_can_render():
    assert set(LEGACY_KINDS) <= {k.value for k in MailKind}
    assert set(LEGACY_KINDS) <= kinds_in(MAILER)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", LEGACY_KINDS)
@pytest.mark.parametrize("values", ["example", "tricky"])
def test_mailer_and_legacy_render_the_same_mail(kind, language, values):
    context = example_payload(kind)["context"]
    if values == "tricky":
        context.update({k: v for k, v in TRICKY.items() if k in context})
    legacy_subject, legacy_text, legacy_html = render_legacy(kind=kind, language=language, context=context)
    mail = render_mail(kind=kind, language=language, context=context)
    assert mail.subject == legacy_subject
    assert mail.text == legacy_text
    assert mail.html == legacy_html


def test_the_shared_html_layout_is_the_same_file():
    assert (MAILER / "mail" / "base.html").read_text() == (LEGACY / "mail" / "base.html").read_text()
