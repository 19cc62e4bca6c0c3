"""Message and article bodies: sanitise HTML (nh3), derive plain text, render Markdown (QUALITY SEC5).

Everything stored in a ``body_html`` went through ``clean_html``, so templates may mark it safe;
the payload corpus test renders hostile input through these functions in a browser.
"""

from __future__ import annotations

import html
import re

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
    "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "u", "ul",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "abbr": {"title"}}
SCHEMES = {"http", "https", "mailto"}
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_BLOCK_END = re.compile(r"</(p|div|li|h\d|tr|blockquote|pre)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n{3,}")
_MENTION = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.-]+)")


def clean_html(raw: str) -> str:
    """Keep only harmless markup: no scripts, styles, event handlers, forms or foreign schemes."""
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_to_text(raw: str) -> str:
    """A readable plain-text version of (already sanitised) HTML."""
    text = _BLOCK_END.sub("\n", raw)
    text = html.unescape(_TAG.sub("", text))
    text = _SPACES.sub(" ", text)
    return _BLANKS.sub("\n\n", "\n".join(line.strip() for line in text.splitlines())).strip()


def text_to_html(text: str) -> str:
    """Escape plain text and keep its paragraphs and line breaks."""
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in paragraphs)


def markdown_to_html(source: str) -> str:
    """Render Markdown (raw HTML in it is not passed through) and sanitise the result."""
    return clean_html(_MARKDOWN.render(source))


def mentions(text: str) -> list[str]:
    """The @handles in a note (an e-mail address or the local part of one)."""
    return list(dict.fromkeys(m.lower() for m in _MENTION.findall(text)))
