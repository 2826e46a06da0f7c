"""The published examples in the formulas' docstrings run as tests, so ``make test`` (plain
``pytest``, testpaths = tests) checks them without collecting every module under src."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from segstudio.policy import formulas, valuation

# Each module with docstring examples, and how many examples it has at least: a docstring
# whose examples vanish fails here instead of passing with nothing run.
DOCTEST_MODULES: list[tuple[ModuleType, int]] = [
    (formulas, 24),
    (valuation, 3),
]


@pytest.mark.parametrize(
    "module, examples", DOCTEST_MODULES, ids=[m.__name__ for m, _ in DOCTEST_MODULES]
)
def test_docstring_examples_reproduce_the_published_values(
    module: ModuleType, examples: int
) -> None:
    result = doctest.testmod(module, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed (output above)"
    assert result.attempted >= examples
