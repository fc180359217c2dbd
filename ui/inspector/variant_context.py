"""VariantContext: which variant the editor shows, and value edits as that variant's overrides.

The document holds the base scenario and every variant's override list. While a variant is
active, the inspector, the scenario panel and the canvas show ``apply_variant(base, name)``; a
value edit then rewrites that variant's overrides for the edited object (one undoable SetPart
"variants" command), so the base stays untouched and later base edits still flow into the
variant, which is always base + overrides (issue 6, "Variants").

Overrides are recomputed per edited object as the leaf difference between the base object and
the edited variant object (``diff_overrides``), so setting a field back to its base value removes
its override instead of leaving a no-op one behind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from pydantic import BaseModel
from PySide6.QtCore import QObject, Signal

from aifactory_twin.commands import Command, SetPart, get_path, set_path
from aifactory_twin.document import DERIVED_STATE, FactoryDocument
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.schema import NodeBase, Override, Scenario, Settings, Variant
from aifactory_twin.variants import SETTINGS_TARGET, apply_variant, diff_overrides

ModelT = TypeVar("ModelT", bound=BaseModel)


def set_model_path(model: ModelT, path: str, value: Any) -> ModelT:
    """``commands.set_path`` for any schema model (settings, workloads), fully validated."""
    return cast(ModelT, set_path(cast(NodeBase, model), path, value))


def base_scenario(target: str, model: BaseModel) -> Scenario:
    """A one-object scenario holding ``model`` as ``target`` (for ``diff_overrides``)."""
    item: Any = model  # model_construct skips validation: the object is already valid
    if target == SETTINGS_TARGET:
        return Scenario.model_construct(settings=item)
    if isinstance(model, NodeBase):
        return Scenario.model_construct(nodes=[item])
    return Scenario.model_construct(workloads=[item])


class VariantContext(QObject):
    """The active variant (None = the base) and the values the editor shows for it."""

    active_changed = Signal(object)  # str | None
    view_changed = Signal()  # the shown values may differ now (batched after bursts of edits)

    def __init__(self, doc: FactoryDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.active: str | None = None
        self.problems: list[Problem] = []
        self._shown: Scenario | None = None
        self._shown_nodes: dict[str, NodeBase] = {}
        self._connected = False
        self.attach()

    def attach(self) -> None:
        if not self._connected:
            # Views refresh on the specific signals, before "changed", and read the shown
            # values: the cache must drop before any view's slot runs, whatever the order
            # things were made in.
            for signal in self._specific_signals():
                signal.connect(self._invalidate_on_change, priority=DERIVED_STATE)
            self.doc.changed.connect(self._on_doc_changed, priority=DERIVED_STATE)
            self.doc.reset.connect(self._on_doc_reset, priority=DERIVED_STATE)
            self.doc.part_changed.connect(self._on_doc_part_changed, priority=DERIVED_STATE)
            self._connected = True

    def detach(self) -> None:
        if self._connected:
            for signal in self._specific_signals():
                signal.disconnect(self._invalidate_on_change)
            self.doc.changed.disconnect(self._on_doc_changed)
            self.doc.reset.disconnect(self._on_doc_reset)
            self.doc.part_changed.disconnect(self._on_doc_part_changed)
            self._connected = False

    def _specific_signals(self) -> list[Any]:
        doc = self.doc
        return [doc.node_added, doc.node_removed, doc.node_changed, doc.reset]

    # ------------------------------------------------------------ state
    def names(self) -> list[str]:
        return [v.name for v in self.doc.part("variants")]

    def set_active(self, name: str | None) -> None:
        """Show variant ``name`` (None: the base); unknown names raise KeyError."""
        if name is not None and name not in self.names():
            raise KeyError(name)
        if name == self.active:
            return
        self.active = name
        self._invalidate()
        self.active_changed.emit(name)
        self.view_changed.emit()

    def variant(self) -> Variant | None:
        for variant in self.doc.part("variants"):
            if variant.name == self.active:
                return cast(Variant, variant)
        return None

    # ------------------------------------------------------------ shown values
    def shown(self) -> Scenario:
        """The scenario as the editor shows it: the base, or the base with the variant applied.

        Overrides that no longer apply (their node was deleted from the base, or a base edit
        made the value invalid) are skipped and listed in ``problems`` for the banner.
        """
        if self._shown is None:
            base = self.doc.scenario
            self.problems = []
            self._shown = base if self.active is None else self._apply(base, self.active)
            self._shown_nodes = (
                {n.id: n for n in self._shown.nodes} if self.active is not None else {}
            )
        return self._shown

    def _apply(self, base: Scenario, name: str) -> Scenario:
        try:
            return apply_variant(base, name)
        except ScenarioError as exc:
            self.problems = list(exc.problems)
        variant = self.variant()
        if variant is None:
            return base
        usable: list[Override] = []
        for override in variant.overrides:
            trial = Variant(name=variant.name, overrides=[*usable, override])
            try:
                apply_variant(base.model_copy(update={"variants": [trial]}), variant.name)
            except ScenarioError:
                continue
            usable.append(override)
        partial = Variant(name=variant.name, overrides=usable)
        return apply_variant(base.model_copy(update={"variants": [partial]}), variant.name)

    def shown_node(self, node_id: str) -> NodeBase:
        if self.active is None:
            return self.doc.node(node_id)
        self.shown()
        return self._shown_nodes.get(node_id) or self.doc.node(node_id)

    def shown_settings(self) -> Settings:
        return self.shown().settings if self.active is not None else self.doc.part("settings")

    def shown_workload(self, workload_id: str) -> BaseModel | None:
        workloads = self.shown().workloads if self.active is not None else self._base_workloads()
        return next((w for w in workloads if w.id == workload_id), None)

    def _base_workloads(self) -> list[Any]:
        return list(self.doc.part("workloads"))

    def base_model(self, target: str) -> BaseModel | None:
        """The base object an override ``target`` names (node, workload or settings)."""
        if target == SETTINGS_TARGET:
            return cast(Settings, self.doc.part("settings"))
        if self.doc.has_node(target):
            return self.doc.node(target)
        return next((w for w in self._base_workloads() if w.id == target), None)

    def differs(self, target: str, path: str) -> bool:
        """True when the active variant shows another value than the base at ``path``."""
        if self.active is None:
            return False
        base = self.base_model(target)
        if base is None:
            return False
        if target == SETTINGS_TARGET:
            shown: Any = self.shown_settings()
        elif isinstance(base, NodeBase):
            shown = self.shown_node(target)
        else:
            shown = self.shown_workload(target)
        return bool(get_path(shown, path) != get_path(base, path))

    # ------------------------------------------------------------ editing
    def override_command(self, edited: Mapping[str, BaseModel], text: str) -> Command:
        """SetPart "variants" making the active variant show ``edited`` (target → new object).

        Each target's overrides are replaced by the leaf difference between its base object and
        the edited one; the other targets' overrides keep their place in the list.
        """
        variant = self.variant()
        if variant is None:
            raise ScenarioError([Problem("variants", "no variant is active")])
        overrides = list(variant.overrides)
        for target, new_model in edited.items():
            base = self.base_model(target)
            if base is None:
                raise ScenarioError([Problem(target, "not a node, workload or settings")])
            fresh = diff_overrides(base_scenario(target, base), base_scenario(target, new_model))
            first = next((i for i, o in enumerate(overrides) if o.target == target), None)
            kept = [o for o in overrides if o.target != target]
            # Everything before the target's first override is another target's: keep the order.
            at = len(kept) if first is None else first
            overrides = kept[:at] + fresh + kept[at:]
        variants = [
            v.model_copy(update={"overrides": overrides}) if v.name == variant.name else v
            for v in self.doc.part("variants")
        ]
        return SetPart(self.doc, "variants", variants, text=text)

    # ------------------------------------------------------------ document events
    def _invalidate(self) -> None:
        self._shown = None
        self._shown_nodes = {}

    def _invalidate_on_change(self, *_args: Any) -> None:
        self._invalidate()

    def _on_doc_changed(self) -> None:
        # Once per edit: the document batches every command, however many items it touches.
        self._invalidate()
        if self.active is not None:
            self.view_changed.emit()

    def _on_doc_reset(self) -> None:
        self.set_active(None)

    def _on_doc_part_changed(self, name: str, old: Any, new: Any) -> None:
        self._invalidate()
        if name != "variants" or self.active is None:
            return
        new_names = [v.name for v in new]
        if self.active in new_names:
            return
        old_names = [v.name for v in old]
        # A rename (or its undo) keeps the list's length: follow the variant to its new name.
        if len(old_names) == len(new_names) and self.active in old_names:
            self.set_active(new_names[old_names.index(self.active)])
        else:
            self.set_active(None)
