"""Markdown rendered safely: the one helper every brief, playbook and answer goes through.

Markdown may contain raw HTML; nh3 (ammonia) keeps only a short list of harmless tags and
attributes, so a brief cannot carry a script, an event handler, a style or a tracking image.
"""

import markdown as md
import nh3
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub",
    "dl", "dt", "dd",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text):
    """Markdown → sanitized HTML, marked safe for templates."""
    if not text:
        return mark_safe("")  # noqa: S308 - an empty string
    html = md.markdown(text, extensions=["extra", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", clean_content_tags={"script", "style"},
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitized by nh3 above
