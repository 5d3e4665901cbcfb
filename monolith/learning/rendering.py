"""Markdown bodies of lessons and exercises rendered to safe HTML."""

import bleach
import markdown

from monolith.learning.highlight import CSS_CLASS

ALLOWED_TAGS = {
    *bleach.sanitizer.ALLOWED_TAGS,
    "p",
    "pre",
    "code",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "img",
    "div",
    "span",
}
ALLOWED_ATTRIBUTES = {
    **bleach.sanitizer.ALLOWED_ATTRIBUTES,
    "code": ["class"],
    # Code blocks highlighted on the server: a div.codehilite holding token spans (classes only).
    "div": ["class"],
    "span": ["class"],
    "img": ["src", "alt", "title"],
    "th": ["align"],
    "td": ["align"],
}


def markdown_to_html(text: str) -> str:
    """Markdown (fenced code, highlighted; tables) to HTML without scripts, styles or event handlers."""
    html = markdown.markdown(
        text,
        extensions=["fenced_code", "tables", "codehilite"],
        # No guessing: a block without a language stays plain rather than coloured at random.
        extension_configs={"codehilite": {"css_class": CSS_CLASS, "guess_lang": False}},
        output_format="html",
    )
    return bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols={"http", "https"})
