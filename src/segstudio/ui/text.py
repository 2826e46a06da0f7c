"""Text from a user's files (SKU codes, names, file names, values quoted in messages) shown as
text: Streamlit renders markdown in st.markdown, st.caption, st.info/warning/error/success and
in the labels of metrics, expanders and radios, so such text goes through :func:`md_escape`."""

from __future__ import annotations

# Markdown's special characters, the HTML brackets, ``&`` (entities such as ``&lt;``), ``:``
# and ``@`` (autolinks), ``=`` (setext headings), ``$`` (Streamlit's LaTeX), ``^``.
# CommonMark renders a backslash-escaped ASCII punctuation character as itself.
MD_SPECIAL = frozenset("\\`*_{}[]<>()#+-.!|~$&:=@^")


def md_escape(text: object) -> str:
    """``text`` with a backslash before every markdown special character: rendered literally."""
    return "".join("\\" + c if c in MD_SPECIAL else c for c in str(text))
