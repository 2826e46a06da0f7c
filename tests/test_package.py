"""Every core module (all of segstudio but the Streamlit layer, segstudio.ui) says what it
exports: an ``__all__`` that names only what exists, lists every public function and class the
module defines, and is sorted."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from types import ModuleType

import pytest

import segstudio


def _core_module_names() -> list[str]:
    names = ["segstudio"]
    for info in pkgutil.walk_packages(segstudio.__path__, "segstudio."):
        if info.name == "segstudio.ui" or info.name.startswith("segstudio.ui."):
            continue
        names.append(info.name)
    return sorted(names)


CORE_MODULES = _core_module_names()


def _module(name: str) -> ModuleType:
    return importlib.import_module(name)


def test_the_walk_finds_the_core_and_skips_the_ui() -> None:
    assert "segstudio.cli" in CORE_MODULES
    assert "segstudio.common.sql" in CORE_MODULES
    assert "segstudio.ingest" in CORE_MODULES
    assert not [n for n in CORE_MODULES if n.startswith("segstudio.ui")]


@pytest.mark.parametrize("name", CORE_MODULES)
def test_module_has_all(name: str) -> None:
    module = _module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    exported = module.__all__
    assert isinstance(exported, list), f"{name}.__all__ is a {type(exported).__name__}"
    assert all(isinstance(n, str) for n in exported), f"{name}.__all__ holds a non-string"


@pytest.mark.parametrize("name", CORE_MODULES)
def test_all_names_exist(name: str) -> None:
    module = _module(name)
    exported = getattr(module, "__all__", [])
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what the module does not have: {missing}"


@pytest.mark.parametrize("name", CORE_MODULES)
def test_all_is_sorted_without_repeats(name: str) -> None:
    exported = list(getattr(_module(name), "__all__", []))
    assert exported == sorted(set(exported)), f"{name}.__all__ is not sorted or repeats a name"


@pytest.mark.parametrize("name", CORE_MODULES)
def test_public_functions_and_classes_are_in_all(name: str) -> None:
    module = _module(name)
    exported = set(getattr(module, "__all__", []))
    public = sorted(
        attr
        for attr, obj in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and obj.__module__ == name
    )
    left_out = [attr for attr in public if attr not in exported]
    assert not left_out, f"{name} defines public names missing from __all__: {left_out}"
