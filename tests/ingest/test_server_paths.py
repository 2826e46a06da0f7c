"""Files named by a path on the server: off unless the operator allows folders, and then only
inside them (real paths: symlinks resolved, ``..`` collapsed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from segstudio.errors import SegStudioError, ServerPathError
from segstudio.ingest.paths import ALLOWED_FOLDERS_ENV, allowed_folders, check_server_path


@pytest.fixture()
def tree(tmp_path: Path) -> dict[str, Path]:
    allowed = tmp_path / "allowed"
    (allowed / "sub").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    twin = tmp_path / "allowed-twin"  # shares the allowed folder's name as a prefix
    twin.mkdir()
    for folder in (allowed, allowed / "sub", outside, twin):
        (folder / "sales.csv").write_text("sku,date,quantity\nA,2024-01-01,1\n")
    return {"root": tmp_path, "allowed": allowed, "outside": outside, "twin": twin}


@pytest.fixture()
def allow(tree: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(ALLOWED_FOLDERS_ENV, str(tree["allowed"]))
    return tree["allowed"]


def test_without_the_setting_paths_are_turned_off(tree, monkeypatch) -> None:
    monkeypatch.delenv(ALLOWED_FOLDERS_ENV, raising=False)
    assert allowed_folders() == []
    with pytest.raises(ServerPathError, match=ALLOWED_FOLDERS_ENV) as info:
        check_server_path(tree["allowed"] / "sales.csv")
    assert "turned off" in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value", ["", " ", os.pathsep, f" {os.pathsep} "])
def test_an_empty_setting_also_turns_paths_off(value, tree, monkeypatch) -> None:
    monkeypatch.setenv(ALLOWED_FOLDERS_ENV, value)
    assert allowed_folders() == []
    with pytest.raises(ServerPathError):
        check_server_path(tree["allowed"] / "sales.csv")


def test_the_error_is_the_products_own(allow, tree) -> None:
    assert issubclass(ServerPathError, SegStudioError)


def test_a_file_inside_an_allowed_folder_is_accepted_as_its_real_path(allow, tree) -> None:
    assert check_server_path(str(allow / "sales.csv")) == (allow / "sales.csv").resolve()
    assert check_server_path(allow / "sub" / "sales.csv") == (allow / "sub" / "sales.csv").resolve()
    # ``..`` that stays inside is fine, and surrounding blanks are ignored.
    assert check_server_path(f"  {allow}/sub/../sales.csv ") == (allow / "sales.csv").resolve()


def test_a_file_outside_is_refused_in_one_line_naming_the_path_and_the_folders(allow, tree) -> None:
    target = tree["outside"] / "sales.csv"
    with pytest.raises(ServerPathError) as info:
        check_server_path(target)
    message = str(info.value)
    assert str(target) in message
    assert str(allow.resolve()) in message
    assert "\n" not in message


@pytest.mark.parametrize("target", ["/etc/passwd", "/", "relative.csv"])
def test_system_files_and_relative_paths_outside_are_refused(allow, target) -> None:
    with pytest.raises(ServerPathError):
        check_server_path(target)


def test_a_dotdot_escape_is_refused(allow, tree) -> None:
    with pytest.raises(ServerPathError, match="not inside an allowed folder"):
        check_server_path(f"{allow}/../outside/sales.csv")
    with pytest.raises(ServerPathError):
        check_server_path(f"{allow}/sub/../../outside/sales.csv")


def test_a_folder_sharing_the_allowed_folders_name_as_a_prefix_is_refused(allow, tree) -> None:
    with pytest.raises(ServerPathError):
        check_server_path(tree["twin"] / "sales.csv")


def test_a_symlink_inside_pointing_outside_is_refused(allow, tree) -> None:
    (allow / "link.csv").symlink_to(tree["outside"] / "sales.csv")
    (allow / "linked_dir").symlink_to(tree["outside"], target_is_directory=True)
    with pytest.raises(ServerPathError, match="that is"):
        check_server_path(allow / "link.csv")
    with pytest.raises(ServerPathError):
        check_server_path(allow / "linked_dir" / "sales.csv")


def test_a_symlink_outside_pointing_inside_is_accepted(allow, tree) -> None:
    link = tree["outside"] / "to_allowed.csv"
    link.symlink_to(allow / "sales.csv")
    assert check_server_path(link) == (allow / "sales.csv").resolve()


def test_an_allowed_folder_given_through_a_symlink_allows_its_target(tree, monkeypatch) -> None:
    alias = tree["root"] / "alias"
    alias.symlink_to(tree["allowed"], target_is_directory=True)
    monkeypatch.setenv(ALLOWED_FOLDERS_ENV, str(alias))
    assert allowed_folders() == [tree["allowed"].resolve()]
    assert (
        check_server_path(tree["allowed"] / "sales.csv")
        == (tree["allowed"] / "sales.csv").resolve()
    )


def test_several_folders_are_separated_by_pathsep(tree, monkeypatch) -> None:
    monkeypatch.setenv(
        ALLOWED_FOLDERS_ENV, os.pathsep.join([str(tree["allowed"]), str(tree["outside"])])
    )
    assert allowed_folders() == [tree["allowed"].resolve(), tree["outside"].resolve()]
    check_server_path(tree["outside"] / "sales.csv")
    check_server_path(tree["allowed"] / "sales.csv")
    with pytest.raises(ServerPathError) as info:
        check_server_path(tree["twin"] / "sales.csv")
    assert str(tree["allowed"].resolve()) in str(info.value)
    assert str(tree["outside"].resolve()) in str(info.value)


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b.csv"])
def test_an_empty_or_unusable_path_is_refused_not_raised_as_something_else(allow, bad) -> None:
    with pytest.raises(ServerPathError):
        check_server_path(bad)
