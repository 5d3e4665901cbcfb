"""Renders a mail (subject, plain text, HTML) from its kind, language and context.

The templates in ``templates/mail/<language>/<kind>.{subject.txt,txt,html}``
are the extracted copy of the monolith's legacy mail templates, rendered with
the same rules, so both paths produce the same mail for the same request
(a test compares them for every kind and language):

- subject and plain-text templates switch autoescaping off themselves, HTML keeps it on;
- the subject is collapsed to one line (whitespace runs become one space);
- the plain text is stripped and ends with exactly one newline.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def template_names(*, kind: str, language: str) -> tuple[str, str, str]:
    base = f"mail/{language}/{kind}"
    return f"{base}.subject.txt", f"{base}.txt", f"{base}.html"


def render_mail(*, kind: str, language: str, context: Mapping) -> RenderedMail:
    """Render the three parts of a mail; ``kind`` and ``language`` come from a validated contract."""
    subject_name, text_name, html_name = template_names(kind=kind, language=language)
    values = dict(context)
    with translation.override(language):
        subject = " ".join(render_to_string(subject_name, values).split())
        text = render_to_string(text_name, values).strip() + "\n"
        html = render_to_string(html_name, values)
    return RenderedMail(subject=subject, text=text, html=html)
