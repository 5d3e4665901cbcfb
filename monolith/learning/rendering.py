"""Markdown bodies of lessons and exercises rendered to safe HTML."""

import bleach
import markdown

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
}
ALLOWED_ATTRIBUTES = {
    **bleach.sanitizer.ALLOWED_ATTRIBUTES,
    "code": ["class"],
    "img": ["src", "alt", "title"],
    "th": ["align"],
    "td": ["align"],
}


def markdown_to_html(text: str) -> str:
    """Markdown (with fenced code and tables) to HTML without scripts, styles or event handlers."""
    html = markdown.markdown(text, extensions=["fenced_code", "tables"], output_format="html")
    return bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols={"http", "https"})
