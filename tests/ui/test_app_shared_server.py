"""Safe on a shared server, through Streamlit's AppTest: the path option is off unless the
operator allows folders, uploads are kept apart per session and removed once used, and text
from the user's files is shown literally.

AppTest (Streamlit 1.50) cannot drive ``st.file_uploader``: the upload tests replace it with a
stand-in that hands the Data page what the real widget would (an object with ``name``,
``file_id`` and ``getbuffer()``), per session and per widget key, so everything after the
widget (storing, labels, reading, removal, emptying the uploader) runs as in the app."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from pathlib import Path

import pytest
import streamlit
from streamlit.testing.v1 import AppTest

from segstudio.ingest.paths import ALLOWED_FOLDERS_ENV
from segstudio.ui import keys
from segstudio.ui.text import md_escape
from tests.builders import MON, build_workspace
from tests.conftest import ROOT

APP = str(ROOT / "app.py")
ODD = "#10**Widget 20mm**"  # an SKU code and a description that look like markdown
_FAKE = "test.fake_uploads"  # session key of the stand-in uploader: widget key -> (name, bytes)


# ---------------------------------------------------------------- helpers
def _run(page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _rendered_texts(at: AppTest) -> list[str]:
    """The source of every element Streamlit renders as markdown."""
    texts = [
        e.value
        for kind in (
            "markdown",
            "caption",
            "info",
            "warning",
            "error",
            "success",
            "subheader",
            "header",
            "title",
        )
        for e in at.get(kind)
    ]
    texts += [m.label for m in at.metric] + [e.label for e in at.expander]
    return texts


def _assert_literal(at: AppTest, raw: str) -> list[str]:
    """No markdown element holds ``raw`` bare; returns those holding it escaped."""
    texts = _rendered_texts(at)
    bare = [t for t in texts if raw in t]
    assert not bare, bare
    # Every "Widget" on the page is inside the escaped text.
    assert not [t for t in texts if "Widget" in t.replace(md_escape(raw), "")], texts
    return [t for t in texts if md_escape(raw) in t]


def _path_inputs(at: AppTest) -> list[str]:
    return [t.key for t in at.text_input if t.key and t.key.startswith("data.path.")]


def _frames_with(at: AppTest, *columns: str) -> list:
    """The dataframes shown with these columns (AppTest does not keep a dataframe's key)."""
    frames = [d.value for d in at.dataframe]
    return [f for f in frames if set(columns) <= set(f.columns)]


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


@pytest.fixture()
def odd_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A tiny workspace whose first SKU's code and description look like markdown."""
    skus = [ODD, "B-2", "C_3"]
    # The odd SKU ships half of what is ordered: its segment misses its service target.
    sales = [
        {
            "sku": s,
            "date": MON + dt.timedelta(days=d),
            "quantity": (i + 1) * (d % 4 + 1),
            "unit_price": 10 - 3 * i,
            "unit_cost": 2,
            "ordered_qty": (i + 1) * (d % 4 + 1) * (2 if s == ODD else 1),
            "shipped_qty": (i + 1) * (d % 4 + 1),
        }
        for i, s in enumerate(skus)
        for d in range(0, 200, 3)
    ]
    ws = build_workspace(
        tmp_path / "ws",
        sales=sales,
        inventory=[{"sku": s, "on_hand": 5} for s in skus],
        products=[{"sku": s, "description": ODD if s == ODD else f"item {s}"} for s in skus],
    )
    monkeypatch.setenv("SEGSTUDIO_WORKSPACE", str(ws))
    monkeypatch.delenv(ALLOWED_FOLDERS_ENV, raising=False)
    monkeypatch.chdir(ROOT)
    return ws


# ---------------------------------------------------------------- the path option
def test_the_path_option_is_not_offered_without_allowed_folders(odd_workspace: Path) -> None:
    at = _run()
    assert _path_inputs(at) == []
    assert not any("path on this machine" in t.label for t in at.text_input)
    assert len(at.get("file_uploader")) == 4  # uploads still work


def test_a_path_outside_the_allowed_folders_is_refused_with_a_message(
    odd_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    outside = tmp_path / "outside.csv"
    outside.write_text("sku,date,quantity\nA,2024-01-01,1\n")
    monkeypatch.setenv(ALLOWED_FOLDERS_ENV, str(allowed))
    at = _run()
    assert sorted(_path_inputs(at)) == sorted(
        keys.server_path(k) for k in ("sales", "inventory", "suppliers", "products")
    )
    for target in (str(outside), f"{allowed}/../outside.csv", "/etc/passwd"):
        at.text_input(key=keys.server_path("sales")).set_value(target).run()
        assert not at.exception, [e.value for e in at.exception]
        refusals = [e.value for e in at.error if "not inside an allowed folder" in e.value]
        assert len(refusals) == 1, [e.value for e in at.error]
        assert md_escape(target) in refusals[0]
        assert md_escape(str(allowed.resolve())) in refusals[0]
        assert "Traceback" not in refusals[0]
        assert not any(b.label == "Validate files" for b in at.button)  # nothing was read

    inside = allowed / "sales.csv"
    inside.write_text("sku,date,quantity\nA,2024-01-01,1\n")
    at.text_input(key=keys.server_path("sales")).set_value(str(inside)).run()
    assert not at.exception
    assert not any("not inside" in e.value for e in at.error)
    assert at.selectbox(key="data.map.sales.sku").value == "sku"


# ---------------------------------------------------------------- text shown literally
def test_the_data_page_shows_file_text_literally(
    odd_workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    monkeypatch.setenv(ALLOWED_FOLDERS_ENV, str(allowed))
    # An inventory file whose name and SKU look like markdown; its SKU never sold (a warning
    # that quotes it).
    inventory = allowed / f"{ODD}.csv"
    inventory.write_text(f'sku,on_hand\n"{ODD}",4\n"*never* _sold_ <b>x</b>",2\n')
    at = _run()
    # The description is in the feature table, as data.
    features = _frames_with(at, "sku", "description")
    assert len(features) == 1
    assert ODD in set(features[0]["description"]) and ODD in set(features[0]["sku"])
    _assert_literal(at, ODD)

    at.text_input(key=keys.server_path("inventory")).set_value(str(inventory)).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.label for e in at.expander if "Inventory" in e.label][0].count(md_escape(ODD)) == 1
    _button(at, "Validate files").click().run()
    assert not at.exception, [e.value for e in at.exception]
    warnings = [w.value for w in at.warning if "never sold" in w.value]
    assert len(warnings) == 1
    assert md_escape("*never* _sold_ <b>x</b>") in warnings[0]
    escaped = _assert_literal(at, ODD)
    assert any(t.startswith("**") and md_escape(ODD) in t for t in escaped)  # report header
    assert "<b>" not in "".join(_rendered_texts(at))

    at.button(key="data.commit").click().run()
    assert not at.exception, [e.value for e in at.exception]
    done = [s.value for s in at.success if "is now the current data" in s.value]
    assert len(done) == 1 and md_escape(ODD) in done[0]
    _assert_literal(at, ODD)


def test_the_segmentation_page_shows_an_sku_literally(odd_workspace: Path) -> None:
    at = _run("pages/segmentation.py")
    _assert_literal(at, ODD)
    at.radio(key=keys.SEG_VIEW).set_value("Overrides").run()
    at.text_input(key="seg.ovr_sku").set_value(ODD)
    at.text_input(key="seg.ovr_reason").set_value("a *reason*")
    at.text_input(key="seg.ovr_who").set_value("Dana")
    _button(at, "Save override").click().run()
    assert not at.exception, [e.value for e in at.exception]
    saved = [s.value for s in at.success if "is now in" in s.value]
    assert len(saved) == 1 and saved[0].startswith(md_escape(ODD))
    _assert_literal(at, ODD)
    overrides = _frames_with(at, "sku", "reason")
    assert len(overrides) == 1 and ODD in set(overrides[0]["sku"])  # the table: as data


def test_the_scorecard_root_causes_show_the_description_literally(odd_workspace: Path) -> None:
    at = _run("pages/scorecard.py")
    assert not any("Every segment meets" in s.value for s in at.success)
    causes = _frames_with(at, "sku", "description", "units_short")
    assert len(causes) == 1
    row = causes[0].set_index("sku").loc[ODD]
    assert row["description"] == ODD  # a dataframe cell: shown as the text it is
    _assert_literal(at, ODD)


# ---------------------------------------------------------------- uploads
class _FakeUpload(io.BytesIO):
    """What st.file_uploader returns: a BytesIO with the browser's name and a stable id."""

    def __init__(self, name: str, data: bytes, widget_key: str) -> None:
        super().__init__(data)
        self.name = name
        self.file_id = hashlib.sha256(widget_key.encode() + data).hexdigest()


def _fake_file_uploader(label, type=None, accept_multiple_files=False, key=None, **kw):  # noqa: A002
    given = streamlit.session_state.get(_FAKE, {}).get(key)
    return None if given is None else _FakeUpload(given[0], given[1], key)


@pytest.fixture()
def fake_uploader(odd_workspace: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(streamlit, "file_uploader", _fake_file_uploader)
    return odd_workspace.parent / "uploads"


def _upload(at: AppTest, file_key: str, name: str, data: bytes) -> Path:
    """Give the session's (current) uploader of ``file_key`` a file; the stored copy's path."""
    state = at.session_state  # AppTest's: its get() raises on a missing key
    generation = state[keys.UPLOAD_GENERATION] if keys.UPLOAD_GENERATION in state else 0  # noqa: SIM401
    at.session_state[_FAKE] = {keys.upload_widget(file_key, generation): (name, data)}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state[keys.UPLOADS][file_key][1]


def _stored(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_two_sessions_uploading_the_same_name_never_see_each_others_file(
    fake_uploader: Path,
) -> None:
    root = fake_uploader
    a, b = _run(), _run()
    data_a = b"sku,date,quantity\nA1,2024-01-01,3\nA1,2024-01-08,2\n"
    data_b = b"Item;Day;Qty\nB1;2024-02-01;7\n"
    path_a = _upload(a, "sales", "sales.csv", data_a)
    path_b = _upload(b, "sales", "sales.csv", data_b)

    assert path_a != path_b and path_a.parent != path_b.parent
    assert {path_a.parent.name, path_b.parent.name} == {
        a.session_state[keys.SESSION_ID],
        b.session_state[keys.SESSION_ID],
    }
    assert path_a.parent.parent == path_b.parent.parent == root
    assert path_a.read_bytes() == data_a and path_b.read_bytes() == data_b
    for p in (path_a, path_b):
        assert p.suffix == ".csv" and "sales" not in p.name
    # Each session reads its own file (its own columns) and shows the original name.
    assert a.selectbox(key="data.map.sales.sku").value == "sku"
    assert b.selectbox(key="data.map.sales.sku").value == "Item"
    assert any(md_escape("sales.csv") in e.label for e in a.expander)
    assert any(md_escape("sales.csv") in e.label for e in b.expander)
    a.run()  # a rerun keeps the same stored copy (written once per upload)
    assert a.session_state[keys.UPLOADS]["sales"][1] == path_a and _stored(root) == sorted(
        [path_a, path_b]
    )

    # A loads its file: the stored copy goes, and the uploader is emptied.
    _button(a, "Validate files").click().run()
    a.button(key="data.commit").click().run()
    assert not a.exception, [e.value for e in a.exception]
    assert any(
        "is now the current data" in s.value and md_escape("sales.csv") in s.value
        for s in a.success
    )
    assert not path_a.exists() and not path_a.parent.exists()
    assert path_b.exists()
    assert keys.UPLOADS not in a.session_state or not a.session_state[keys.UPLOADS]
    a.run()
    assert _stored(root) == [path_b]  # not written again from the emptied uploader

    # B validates (its own file, not A's) and discards: its stored copy goes too.
    b.selectbox(key="data.map.sales.date").set_value("Day")
    b.selectbox(key="data.map.sales.quantity").set_value("Qty")
    _button(b, "Validate files").click().run()
    assert not b.exception, [e.value for e in b.exception]
    assert next(m.value for m in b.metric if m.label == "Rows read") == "1"
    b.button(key="data.discard").click().run()
    assert not b.exception
    assert not path_b.exists()
    assert _stored(root) == []


def test_a_failed_validation_that_is_discarded_removes_the_stored_file(fake_uploader: Path) -> None:
    at = _run()
    path = _upload(at, "sales", "odd.csv", b"foo,bar\n1,2\n")
    assert path.exists()
    _button(at, "Validate files").click().run()  # no SKU column mapped: the file is unusable
    assert not at.exception, [e.value for e in at.exception]
    assert any("Nothing was changed" in e.value for e in at.error)
    assert path.exists()  # the user may still fix the mapping
    _button(at, "Discard these files").click().run()
    assert not at.exception
    assert not path.exists() and _stored(fake_uploader) == []
    assert not any("Nothing was changed" in e.value for e in at.error)
    assert not any(b.label == "Validate files" for b in at.button)  # the uploader is empty


def test_emptying_the_uploader_removes_the_stored_file(fake_uploader: Path) -> None:
    at = _run()
    path = _upload(at, "products", "products.xlsx.csv", b"sku,description\nA,x\n")
    assert path.name.endswith(".csv")
    at.session_state[_FAKE] = {}
    at.run()
    assert not at.exception
    assert not path.exists() and _stored(fake_uploader) == []
