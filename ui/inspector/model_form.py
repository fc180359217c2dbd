"""ModelForm: a generated form for one schema object (settings, a workload), no hand-written rows.

The rows come from ``field_specs(cls)`` (editor kind, unit, range, tooltip from the pydantic
field), grouped under a foldable header per nested model (``Ambient``, ``Checkpoint``) and, for
nodes, per field group (``sections.node_field_section``). The form only
shows values and reports edits: ``on_commit(spec, value)`` pushes a command or returns the
problem to show inline; ``on_reset(spec)`` hands a variant's override back to the base.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import replace
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from aifactory_twin.paths import get_path
from aifactory_twin.schema import Scenario
from ui.inspector.field_row import FieldRow
from ui.inspector.fields import FieldSpec, field_specs, format_value
from ui.inspector.sections import Section, section_rank

Commit = Callable[[FieldSpec, Any], str | None]
Reset = Callable[[FieldSpec], str | None]
# How a value shows when the generic text does not fit (a 24-hour profile as its numbers).
Formatter = Callable[[Any], str]


def list_text(value: Any) -> str:
    """A list of numbers as editable text: ``1, 0.8, 0.5``."""
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)


def parse_number_list(text: str) -> list[float]:
    """``1, 0.8, 0.5`` → [1.0, 0.8, 0.5]; ValueError names the first bad entry."""
    out: list[float] = []
    for i, part in enumerate(p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        try:
            out.append(float(part))
        except ValueError:
            raise ValueError(f"entry {i + 1} ({part!r}) is not a number") from None
    return out


# Fields that name another node by id: the form offers the nodes of that kind ("" = none).
REFERENCE_KINDS: dict[str, str] = {
    "delivery.vendor": "vendor",
    "delivery.second_vendor": "vendor",
    "users_site": "site",
    "dataset_id": "dataset",
}
REFERENCED_KINDS = frozenset(REFERENCE_KINDS.values())
"""Kinds whose nodes a reference field lists: adding or removing one refreshes open forms."""


def node_choices(scenario: Scenario, path: str) -> tuple[str, ...] | None:
    """The ids a reference field may take ("" first), or None for other fields."""
    kind = REFERENCE_KINDS.get(path)
    if kind is None:
        return None
    return ("", *sorted(n.id for n in scenario.nodes if n.kind == kind))


class ModelForm(QWidget):
    """Rows for every field of ``cls`` except ``skip``; ``rows`` maps dotted path → row."""

    def __init__(
        self,
        cls: type[BaseModel],
        on_commit: Commit,
        on_reset: Reset | None = None,
        skip: Collection[str] = (),
        text_lists: Collection[str] = (),
        parent: QWidget | None = None,
        section_of: Callable[[str], str] | None = None,
        choices_of: Callable[[str], tuple[str, ...] | None] | None = None,
    ) -> None:
        # ``section_of`` places top-level fields in sections (the inspector's node form);
        # without it they share one untitled form, as in the settings form.
        super().__init__(parent)
        self.rows: dict[str, FieldRow] = {}
        self.sections: dict[str, Section] = {}
        self._text_lists = set(text_lists)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        specs = []
        for spec in field_specs(cls):
            if spec.path in skip:
                continue
            if spec.path in self._text_lists:
                # Lists of numbers edit as comma-separated text; the commit parses them.
                description = f"{spec.description} (comma-separated numbers)".strip()
                spec = replace(spec, editor="text", description=description, extra={"list": True})
            choices = choices_of(spec.path) if choices_of is not None else None
            if choices is not None:
                spec = replace(spec, editor="choice", choices=choices)
            if not spec.section and section_of is not None:
                spec = replace(spec, section=section_of(spec.path))
            specs.append(spec)
        if section_of is not None:
            # Stable: fields keep their schema order inside a section.
            specs.sort(key=lambda s: section_rank(s.section))
        form: QFormLayout | None = None
        section: str | None = None
        for spec in specs:
            if form is None or spec.section != section:
                section = spec.section
                if section:
                    box = Section(section)
                    self.sections[section] = box
                    layout.addWidget(box)
                    form = box.form
                else:
                    form = QFormLayout()
                    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
                    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
                    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
                    form.setVerticalSpacing(5)
                    layout.addLayout(form)
            row = FieldRow(spec, self._wrap(on_commit), on_reset)
            label = QLabel(spec.label)
            label.setToolTip(spec.tooltip())
            row.label = label
            form.addRow(label, row)
            self.rows[spec.path] = row

    def _wrap(self, on_commit: Commit) -> Commit:
        def commit(spec: FieldSpec, value: Any) -> str | None:
            if spec.extra.get("list") and isinstance(value, str):
                try:
                    value = parse_number_list(value)
                except ValueError as exc:
                    return str(exc)
            return on_commit(spec, value)

        return commit

    def set_values(self, model: BaseModel, base: BaseModel | None = None) -> None:
        """Show ``model``; with ``base`` given, mark the rows whose value differs from it."""
        for path, row in self.rows.items():
            value = get_path(model, path)
            shown = list_text(value) if path in self._text_lists else value
            row.set_value(True, shown)
            if base is not None or row.overridden:
                base_value = get_path(base, path) if base is not None else value
                marked = base is not None and base_value != value
                base_text = list_text(base_value) if path in self._text_lists else None
                row.set_overridden(marked, base_text or format_value(base_value, row.spec))
