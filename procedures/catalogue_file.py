"""Reading and writing the catalogue file: JSON with ``agencies``, ``sectors`` and ``procedures`` arrays.

The reader remembers the line each record starts on, so an import can report every bad row by its line.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from rest_framework import serializers

from procedures.constants import AgencyLevel
from procedures.content import version_content
from procedures.models import Agency, ProcedureVersion, Sector

FORMAT = "portal-catalogue"
FORMAT_VERSION = 1
SECTIONS = ("agencies", "sectors", "procedures")


@dataclass
class Record:
    line: int
    section: str
    index: int
    data: Any

    @property
    def where(self) -> str:
        key = self.data.get("code") if isinstance(self.data, dict) else None
        return f"{self.section}[{self.index}]" + (f" ({key})" if key else "")


@dataclass
class RowError:
    line: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.where}: {self.message}"


@dataclass
class CatalogueFile:
    agencies: list[Record] = field(default_factory=list)
    sectors: list[Record] = field(default_factory=list)
    procedures: list[Record] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


class AgencyRecord(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,31}$")
    name = serializers.CharField(max_length=255)
    level = serializers.ChoiceField(choices=AgencyLevel.choices)
    # A field named like an attribute of Field: the stubs see a clash, but DRF's metaclass takes declared fields off
    # the class, so nothing is shadowed.
    parent = serializers.CharField(  # type: ignore[assignment]
        max_length=32, required=False, allow_blank=True, allow_null=True, default=""
    )
    symbol = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    superior = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class SectorRecord(serializers.Serializer):
    code = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9.\-_]{0,31}$")
    name = serializers.CharField(max_length=255)


def flatten_errors(detail: Any, prefix: str = "") -> list[str]:
    """DRF's nested error detail as ``path: message`` lines."""
    if isinstance(detail, dict):
        lines = []
        for key, value in detail.items():
            if key == "non_field_errors":
                path = prefix
            elif isinstance(key, int):  # DRF keys a nested list's errors by position
                path = f"{prefix}[{key}]"
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            lines += flatten_errors(value, path)
        return lines
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [f"{prefix}: {item}" if prefix else str(item) for item in detail]
        lines = []
        for i, item in enumerate(detail):
            if item:
                lines += flatten_errors(item, f"{prefix}[{i}]")
        return lines
    return [f"{prefix}: {detail}" if prefix else str(detail)]


def _line(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def read(text: str) -> CatalogueFile:
    """Parse ``text``; a file that is not valid JSON of the right shape gives one error with its line."""
    result = CatalogueFile()
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        result.errors.append(RowError(exc.lineno, "file", f"not valid JSON: {exc.msg} (column {exc.colno})"))
        return result
    if not isinstance(document, dict):
        result.errors.append(
            RowError(1, "file", "the catalogue must be a JSON object with a 'procedures' list")
        )
        return result
    if document.get("format", FORMAT) != FORMAT:
        result.errors.append(RowError(1, "file", f"format must be {FORMAT!r}"))
    unknown = sorted(set(document) - {*SECTIONS, "format", "version"})
    if unknown:
        result.errors.append(RowError(1, "file", f"unknown keys: {', '.join(unknown)}"))
    for section in SECTIONS:
        value = document.get(section, [])
        if not isinstance(value, list):
            result.errors.append(RowError(1, section, "must be a list"))
    if result.errors:
        return result
    positions = _element_positions(text)
    for section in SECTIONS:
        records = getattr(result, section)
        for index, data in enumerate(document.get(section, [])):
            line = _line(text, positions[section][index])
            if not isinstance(data, dict):
                result.errors.append(RowError(line, f"{section}[{index}]", "must be an object"))
            records.append(Record(line, section, index, data))
    return result


def _element_positions(text: str) -> dict[str, list[int]]:
    """Where each element of the top-level arrays starts, found with the standard decoder's ``raw_decode``."""
    decoder = json.JSONDecoder()
    positions: dict[str, list[int]] = {section: [] for section in SECTIONS}
    i = _skip_space(text, 0) + 1  # past "{"
    while True:
        i = _skip_space(text, i)
        if text[i] == "}":
            return positions
        key, i = decoder.raw_decode(text, i)
        i = _skip_space(text, i) + 1  # past ":"
        i = _skip_space(text, i)
        if key in positions and text[i] == "[":
            i = _skip_space(text, i + 1)
            while text[i] != "]":
                positions[key].append(i)
                _, i = decoder.raw_decode(text, i)
                i = _skip_space(text, i)
                if text[i] == ",":
                    i = _skip_space(text, i + 1)
            i += 1
        else:
            _, i = decoder.raw_decode(text, i)
        i = _skip_space(text, i)
        if text[i] == ",":
            i += 1


def write(versions: list[ProcedureVersion], agencies: list[Agency], sectors: list[Sector]) -> str:
    """The catalogue as a file ``read`` accepts, one record a line so that errors point at a procedure."""
    lines = [f'{{"format": "{FORMAT}", "version": {FORMAT_VERSION},']
    sections: list[tuple[str, list[dict[str, Any]]]] = [
        (
            "agencies",
            [
                {
                    "code": a.code,
                    "name": a.name,
                    "level": a.level,
                    "parent": a.parent.code if a.parent else "",
                    "symbol": a.symbol,
                    "superior": a.superior,
                }
                for a in agencies
            ],
        ),
        ("sectors", [{"code": s.code, "name": s.name} for s in sectors]),
        ("procedures", [{"code": v.procedure.code, **version_content(v)} for v in versions]),
    ]
    for n, (section, records) in enumerate(sections):
        lines.append(f'"{section}": [')
        lines += [
            json.dumps(r, ensure_ascii=False) + ("," if i < len(records) - 1 else "")
            for i, r in enumerate(records)
        ]
        lines.append("]" + ("," if n < len(sections) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def store_templates(catalogue: CatalogueFile, base_dir: Path) -> None:
    """Put the template files a catalogue file names (paths relative to it) into storage.

    Files are stored by their content's hash, so importing the same file twice keeps the same names and changes
    nothing. A name already in storage (as an export writes it) is kept; a missing file is a row error.
    """
    for record in catalogue.procedures:
        components = record.data.get("components") if isinstance(record.data, dict) else None
        if not isinstance(components, list):
            continue
        for i, component in enumerate(components):
            name = component.get("template") if isinstance(component, dict) else None
            if not name or not isinstance(name, str):
                continue
            path = (base_dir / name).resolve()
            if path.is_file() and path.is_relative_to(base_dir.resolve()):
                content = path.read_bytes()
                digest = hashlib.sha256(content).hexdigest()[:16]
                stored = f"templates/{digest}/{path.name}"
                if not default_storage.exists(stored):
                    default_storage.save(stored, ContentFile(content))
                component["template"] = stored
            elif not default_storage.exists(name):
                catalogue.errors.append(
                    RowError(record.line, record.where, f"components[{i}].template: no file {name!r}")
                )
