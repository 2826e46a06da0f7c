"""A table of one setting per segment, as the rules carry them (``[policy]``, ``[forecast]``):
a default and the segments that differ, read from and written to TOML the same way. The one
home of that shape; each table names its section, its item class and its error."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, ClassVar, Generic, Protocol, Self, TypeVar

import numpy as np

from segstudio.errors import SegStudioError

__all__ = ["Checked", "SegmentTable", "coerce"]


class Checked(Protocol):
    """A per-segment setting: a frozen dataclass that checks itself."""

    def check(self, where: str) -> None: ...


T = TypeVar("T", bound=Checked)


def coerce(value: object, typ: str, where: str, error: type[SegStudioError]) -> object:
    """A rules-file value as the field's type (``int``, ``float``, else text); a missing
    text (None, NaN: an emptied cell of the app's editor) reads as ""."""
    if typ == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise error(f"{where}: a whole number, not {value!r}")
        return value
    if typ == "float":
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise error(f"{where}: a number, not {value!r}")
        if not math.isfinite(float(value)):
            raise error(f"{where}: a finite number, not {value!r}")
        return float(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if not isinstance(value, str):
        raise error(f"{where}: text, not {value!r}")
    return value.strip()


@dataclass(frozen=True)
class SegmentTable(Generic[T]):
    """The default setting and one per named segment; a segment not in the table gets the
    default. In a rules file, ``[SECTION.default]`` and ``[SECTION."AX"]`` give only the keys
    that differ: a segment's missing keys come from the default, the default's from the item
    class's own defaults."""

    default: T
    segments: tuple[tuple[str, T], ...]

    SECTION: ClassVar[str]
    ITEM: ClassVar[type]
    ERROR: ClassVar[type[SegStudioError]]

    def __post_init__(self) -> None:
        self.default.check("default")
        for code, p in self.segments:
            p.check(f'"{code}"')

    def for_segment(self, code: str) -> T:
        return dict(self.segments).get(code, self.default)

    def with_segment(self, code: str, item: T) -> Self:
        if code == "default":
            return replace(self, default=item)
        table = dict(self.segments)
        table[code] = item
        return replace(self, segments=tuple(table.items()))

    def to_dict(self) -> dict:
        base = asdict(self.default)  # type: ignore[call-overload]
        out: dict = {"default": base}
        for code, p in self.segments:
            out[code] = {k: v for k, v in asdict(p).items() if v != base[k]}  # type: ignore[call-overload]
        return out

    @classmethod
    def from_dict(cls, data: object, source: str = "rules") -> Self:
        s = cls.SECTION
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise cls.ERROR(f'{source}: [{s}] holds tables: [{s}.default], [{s}."AX"], ...')
        default = cls.item_from(data.get("default", {}), cls.ITEM(), "default", source)
        segments = tuple(
            (str(code), cls.item_from(body, default, f'"{code}"', source))
            for code, body in data.items()
            if code != "default"
        )
        try:
            return cls(default=default, segments=segments)
        except cls.ERROR as exc:
            raise cls.ERROR(f"{source}: {exc}") from exc

    @classmethod
    def item_from(cls, body: object, base: Any, where: str, source: str) -> Any:
        """``base`` with the keys of ``body`` (one segment's table), each checked and
        coerced to its field's type; an unknown key is refused, naming the known ones."""
        s = cls.SECTION
        if not isinstance(body, dict):
            raise cls.ERROR(f"{source}: [{s}.{where}] must be a table")
        types = {f.name: str(f.type) for f in fields(cls.ITEM)}
        values: dict[str, Any] = {}
        for key, value in body.items():
            if key not in types:
                raise cls.ERROR(
                    f"{source}: unknown key {key!r} in [{s}.{where}]; use {', '.join(types)}"
                )
            values[key] = coerce(value, types[key], f"{source}: [{s}.{where}] {key}", cls.ERROR)
        return replace(base, **values)
