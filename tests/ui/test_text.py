"""md_escape: text from a user's file, put into markdown, renders as itself."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from segstudio.ui.text import MD_SPECIAL, md_escape

# Markdown's special characters (as the brief names them), the HTML brackets included.
REQUIRED = set("\\`*_{}[]<>()#+-.!|~$")


def _unescape(escaped: str) -> str:
    """Undo md_escape, checking on the way that every special character is escaped: a
    backslash always escapes a special character, and no special character stands bare."""
    out = []
    i = 0
    while i < len(escaped):
        c = escaped[i]
        if c == "\\":
            assert i + 1 < len(escaped), "a trailing lone backslash"
            nxt = escaped[i + 1]
            assert nxt in MD_SPECIAL, f"backslash before a plain character {nxt!r}"
            out.append(nxt)
            i += 2
        else:
            assert c not in MD_SPECIAL, f"unescaped {c!r} at {i} in {escaped!r}"
            out.append(c)
            i += 1
    return "".join(out)


def test_every_character_the_brief_names_is_escaped() -> None:
    assert REQUIRED <= MD_SPECIAL
    # CommonMark renders a backslash-escaped character as itself only for ASCII punctuation.
    assert all(c.isascii() and not c.isalnum() and not c.isspace() for c in MD_SPECIAL)


@given(st.text())
@example("#10**Widget 20mm**")
@example("<script>alert(1)</script>")
@example("[click](javascript:alert(1))")
@example("\\*not bold\\*")
@example("1. first\n- item\n> quote\n---\n| a | b |")
@example(":red[alarm] $x^2$ ~~gone~~ &lt; A&amp;B www.example.com a@b.co")
def test_every_special_character_is_escaped_and_unescaping_gives_the_text_back(text: str) -> None:
    escaped = md_escape(text)
    assert _unescape(escaped) == text
    # Each special character of the text costs exactly one backslash; nothing else changes.
    assert len(escaped) == len(text) + sum(c in MD_SPECIAL for c in text)


@given(st.text(alphabet=st.characters(blacklist_characters=sorted(MD_SPECIAL))))
def test_text_without_special_characters_is_unchanged(text: str) -> None:
    assert md_escape(text) == text


def test_a_description_that_looks_like_markdown() -> None:
    assert md_escape("#10**Widget 20mm**") == r"\#10\*\*Widget 20mm\*\*"
    assert md_escape("<b>x</b>") == r"\<b\>x\</b\>"
    assert md_escape(12) == "12"
