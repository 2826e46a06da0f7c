"""What a page shows, as the reader sees it: every text, metric and table cell of an AppTest run
(tables as the browser draws them: a Styler's formatted cells, else the raw values as Streamlit
writes them, a missing one as "None" in either case), and the ways a shown figure can read
wrong (a table's count without its thousands separators among them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pandas as pd
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

_TEXTS = {
    "markdown",
    "caption",
    "text",
    "info",
    "success",
    "warning",
    "error",
    "title",
    "header",
    "subheader",
}

# A figure the reader should never see: the missing-value words of Python and pandas ("None
# of the above" is a cause's label), a negative zero, a midnight time, a float with more than
# two decimals (a share as 0.00312, money as 371118.1095).
BAD = {
    "None": re.compile(r"\bNone\b(?! of the above)"),
    "nan": re.compile(r"\b(?:nan|NaN|NaT|<NA>)\b"),
    "-0.0%": re.compile(r"(?<![\d.,])-0(?:\.0+)?%"),
    "-0": re.compile(r"(?<![\w.,-])-0(?:\.0+)?(?=\s|$|x\b)"),
    "00:00:00": re.compile(r"00:00:00"),
    "raw float": re.compile(r"(?<![\w.,])\d+\.\d{3,}(?![\w.])"),
}
# A metric that would not fit: a figure of a million or more written out in full.
LONG_FIGURE = re.compile(r"\d{1,3}(?:,\d{3}){2,}|\d{7,}")
METRIC_MAX_CHARS = 22
# A table's figure of four digits or more without its thousands separators ("2034" for 2,034).
# Only cells whose value is a number are checked: codes (SKUs, customers, raw values quoted from
# a file) stay text, and a column named as an identifier or a year is not a figure.
UNSEPARATED = re.compile(r"^-?\d{4,}(?:\.\d+)?$")
NOT_A_FIGURE = re.compile(r"(?:^|_)(?:year|id|code|load|row)$")


def table_cells(element) -> pd.DataFrame:
    """A dataframe element's cells as the browser displays them: a Styler's text, except in a
    missing cell, where the browser draws "None" whatever the Styler says."""
    proto = element.proto
    raw = element.value
    missing = raw.isna().to_numpy()
    if proto.HasField("styler") and proto.styler.display_values:
        text = dataframe_util.convert_arrow_bytes_to_pandas_df(proto.styler.display_values)
        if text.shape == raw.shape:
            return text.astype(object).mask(missing, "None").astype(str)
        return text
    return raw.astype(object).where(raw.notna(), "None").astype(str)


def displayed(at: AppTest) -> Iterator[tuple[str, str]]:
    """(where, text) for each text, metric part and table cell the run shows."""
    for node in at._tree:  # noqa: SLF001 - the whole tree, tabs and expanders included
        kind = getattr(node, "type", None)
        if kind in _TEXTS:
            yield kind, str(node.value)
        elif kind == "metric":
            yield f"metric {node.label}", str(node.value)
            if node.proto.delta:
                yield f"metric {node.label} delta", str(node.proto.delta)
            if node.proto.help:
                yield f"metric {node.label} help", str(node.proto.help)
    for where, _, shown in table_columns(at):
        for value in shown.tolist():
            yield where, str(value)


def table_columns(at: AppTest) -> Iterator[tuple[str, pd.Series, pd.Series]]:
    """(where, raw values, shown text) for each column of each table the run shows."""
    for node in at._tree:  # noqa: SLF001 - the whole tree, tabs and expanders included
        kind = getattr(node, "type", None)
        if kind not in ("arrow_data_frame", "arrow_table"):
            continue
        if kind == "arrow_data_frame":
            raw, cells = node.value, table_cells(node)
        else:
            raw = node.value.reset_index()
            cells = raw.astype(object).where(raw.notna(), "None").astype(str)
        name = f"table {getattr(node, 'key', None) or ''}"
        for j, col in enumerate(cells.columns):
            values = raw.iloc[:, j] if raw.shape == cells.shape else cells.iloc[:, j]
            yield f"{name} [{col}]", values, cells.iloc[:, j]


def unseparated(at: AppTest) -> list[str]:
    """Each table cell holding a number of four digits or more shown without its thousands
    separators, with where it is (:data:`UNSEPARATED`)."""
    found = []
    for where, raw, shown in table_columns(at):
        column = where.rsplit("[", 1)[-1].rstrip("]").strip().lower().replace(" ", "_")
        numeric = pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
        if not numeric or NOT_A_FIGURE.search(column):
            continue
        found += [
            f"{where}: no thousands separator in {t!r}" for t in shown if UNSEPARATED.match(t)
        ]
    return found


def problems(at: AppTest, skip: tuple[str, ...] = ()) -> list[str]:
    """Every shown text that reads wrong, with where it is (``skip``: element kinds whose text
    is prose quoted from methods.md, such as the Methods page's markdown)."""
    found = []
    for where, text in displayed(at):
        if where.split(" ")[0] in skip:
            continue
        for name, pattern in BAD.items():
            if pattern.search(text):
                found.append(f"{where}: {name} in {text[:160]!r}")
        value = where.startswith("metric ") and not where.endswith(("delta", "help"))
        if value and (LONG_FIGURE.search(text) or len(text) > METRIC_MAX_CHARS):
            found.append(f"{where}: does not fit a metric: {text!r}")
    return found + unseparated(at)


def metrics(at: AppTest) -> dict[str, str]:
    """Each metric's label -> its shown value."""
    return {m.label: m.value for m in at.metric}
