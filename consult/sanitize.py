"""The one place that cleans text: every stored text goes through here, and so does rich output.

Only this module imports bleach. Texts are stored as plain text (tags stripped, control
characters removed); they are rendered through Jinja's autoescape, and the little HTML we
build from them (paragraphs, lists) is cleaned again against a named allow-list.
"""

from __future__ import annotations

import html
import re
import unicodedata

import bleach
from markupsafe import Markup
from markupsafe import escape

#: Tags allowed in rendered body text. Never svg or math: they smuggle script past parsers.
BODY_TAGS = frozenset({"p", "ul", "li", "br"})
NO_TAGS: frozenset[str] = frozenset()

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates, and U+E000 (the
# private-use character moderation puts where it removed something: nobody may fake it).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000]")


def strip_controls(value: str) -> str:
    """Remove NUL and other control characters; keep tabs and newlines (CRLF becomes LF)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


#: Unicode categories that draw nothing themselves but change what is drawn: controls (Cc),
#: format characters (Cf: the bidi embeddings, overrides and isolates U+202A–U+202E and
#: U+2066–U+2069, the marks U+200E/U+200F, zero-width characters), surrogates, private use and
#: the line and paragraph separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})


def strip_invisible(value: str) -> str:
    """Remove every control and format character, e.g. for a file name a person will trust.

    "faktura\u202efdp.exe" shows as "fakturaexe.pdf"; without its override it is what it is.
    """
    return "".join(c for c in value if unicodedata.category(c) not in _INVISIBLE_CATEGORIES)


def clean_text(value: str | None, *, multiline: bool = True) -> str:
    """Return ``value`` as safe plain text for storage: no tags, no control characters."""
    if value is None:
        return ""
    value = unicodedata.normalize("NFC", strip_controls(str(value)))
    # bleach strips the tags and escapes the rest; unescape so we store text, not HTML.
    value = html.unescape(bleach.clean(value, tags=NO_TAGS, attributes={}, strip=True))
    # Unescaping may have revealed characters that were written as entities (&#0;).
    value = strip_controls(value)
    if not multiline:
        value = " ".join(value.split())
    else:
        value = "\n".join(line.rstrip() for line in value.strip().split("\n"))
        value = re.sub(r"\n{3,}", "\n\n", value)
    return value.strip()


def clean_html(value: str, tags: frozenset[str] = BODY_TAGS) -> Markup:
    """Return HTML limited to ``tags`` with no attributes, for rendering."""
    return Markup(bleach.clean(value, tags=tags, attributes={}, strip=True))  # noqa: S704


def render_paragraphs(text: str | None) -> Markup:
    """Render stored plain text: blank lines split paragraphs, "- " lines make a list."""
    if not text:
        return Markup("")
    parts: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line for line in block.split("\n") if line.strip()]
        bullets = [line.lstrip()[2:] for line in lines if line.lstrip().startswith(("- ", "• "))]
        if bullets and len(bullets) == len(lines):
            items = "".join(f"<li>{escape(b.strip())}</li>" for b in bullets)
            parts.append(f"<ul>{items}</ul>")
        else:
            parts.append("<p>" + "<br>".join(str(escape(line)) for line in lines) + "</p>")
    return clean_html("".join(parts))
