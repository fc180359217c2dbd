"""VariantSession: which variant is shown and edited, and the scenario it shows (issue 9).

The document holds the base scenario and every variant's override list. The session is the one
place that knows which variant is ACTIVE (None = the base) and what the editor shows for it:
``apply_variant(base, active)``. The canvas, inspector, scenario panel and variants panel read
the shown values from it; a value edit becomes the active variant's overrides for the edited
object (one undoable SetPart "variants" command), so the base stays untouched and later base
edits still flow into the variant, which is always base + overrides (issue 6, "Variants").

A running simulation follows the session too: ``variant_edited`` names each variant whose
overrides an edit changed, so an override edit of the variant being simulated reaches the
engine at the next tick exactly like a base edit; ``variant_renamed`` lets the run follow a
rename. Qt-free: psygnal signals, connected to the document at ``DERIVED_STATE`` priority so the
cache drops before any view reads it, whatever order things were made in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from psygnal import Signal
from pydantic import BaseModel

from aifactory_twin.commands import Command, SetPart, set_path
from aifactory_twin.document import DERIVED_STATE, FactoryDocument, Links
from aifactory_twin.errors import Problem, ScenarioError
from aifactory_twin.paths import get_path
from aifactory_twin.schema import Edge, NodeBase, Override, Scenario, Settings, Variant
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
    if isinstance(model, Edge):
        return Scenario.model_construct(edges=[item])
    return Scenario.model_construct(workloads=[item])


def variant_changes(old: list[Variant], new: list[Variant]) -> tuple[dict[str, str], list[str]]:
    """What a "variants" edit did: renames (old name → new name) and edited variants' names.

    A rename (or its undo) keeps the list's length and position; a variant counts as edited
    when its overrides differ from before (a description edit is not), under its new name.
    """
    renames: dict[str, str] = {}
    new_names = {v.name for v in new}
    if len(old) == len(new):
        renames = {
            o.name: n.name
            for o, n in zip(old, new, strict=True)
            if o.name != n.name and o.name not in new_names
        }
    before = {renames.get(v.name, v.name): v.overrides for v in old}
    edited = [v.name for v in new if v.name in before and before[v.name] != v.overrides]
    return renames, edited


class VariantSession:
    """The active variant (None = the base) and the values the editor shows for it."""

    active_changed = Signal(object)  # str | None
    shown_changed = Signal()  # the shown values may differ now (once per document edit)
    variant_edited = Signal(str)  # that variant's overrides changed (its effective scenario)
    variant_renamed = Signal(str, str)  # old name, new name

    def __init__(self, doc: FactoryDocument) -> None:
        self.doc = doc
        self.active: str | None = None
        self.problems: list[Problem] = []
        self._shown: Scenario | None = None
        self._shown_nodes: dict[str, NodeBase] = {}
        # Views refresh on the specific signals, before "changed", and read the shown values:
        # the cache must drop before any view's slot runs.
        self._links = Links(
            [
                (doc.node_added, self._invalidate_on_change),
                (doc.node_removed, self._invalidate_on_change),
                (doc.node_changed, self._invalidate_on_change),
                (doc.part_changed, self._on_doc_part_changed),
                (doc.reset, self._on_doc_reset),
                (doc.changed, self._on_doc_changed),
            ],
            priority=DERIVED_STATE,
        )
        self.attach()

    def attach(self) -> None:
        """Start following the document."""
        self._links.attach()

    def detach(self) -> None:
        """Stop following the document."""
        self._links.detach()

    # ------------------------------------------------------------ state
    def names(self) -> list[str]:
        """The variants' names, in document order."""
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
        self.shown_changed.emit()

    def variant(self, name: str | None = None) -> Variant | None:
        """The variant ``name`` (default: the active one); None for the base or no such name."""
        wanted = self.active if name is None else name
        for variant in self.doc.part("variants"):
            if variant.name == wanted:
                return cast(Variant, variant)
        return None

    def override_targets(self) -> set[str]:
        """Ids the active variant overrides (cheap: no variant is applied)."""
        variant = self.variant()
        return {o.target for o in variant.overrides} if variant is not None else set()

    def effective(self, name: str | None) -> Scenario:
        """The scenario a simulation of variant ``name`` runs (strict: bad overrides raise)."""
        return apply_variant(self.doc.scenario, name)

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
        """Node ``node_id`` as the active variant shows it."""
        if self.active is None:
            return self.doc.node(node_id)
        self.shown()
        return self._shown_nodes.get(node_id) or self.doc.node(node_id)

    def shown_settings(self) -> Settings:
        """The settings as the active variant shows them."""
        return self.shown().settings if self.active is not None else self.doc.part("settings")

    def shown_workload(self, workload_id: str) -> BaseModel | None:
        """Workload ``workload_id`` as the active variant shows it (None when absent)."""
        workloads = self.shown().workloads if self.active is not None else self._base_workloads()
        return next((w for w in workloads if w.id == workload_id), None)

    def shown_edge(self, edge_id: str) -> Edge:
        """Edge ``edge_id`` as the active variant shows it (a WAN link's values may differ)."""
        if self.active is None:
            return self.doc.edge(edge_id)
        found = next((e for e in self.shown().edges if e.id == edge_id), None)
        return found or self.doc.edge(edge_id)

    def _base_workloads(self) -> list[Any]:
        return list(self.doc.part("workloads"))

    def base_model(self, target: str) -> BaseModel | None:
        """The base object an override ``target`` names (node, workload, WAN edge or settings)."""
        if target == SETTINGS_TARGET:
            return cast(Settings, self.doc.part("settings"))
        if self.doc.has_node(target):
            return self.doc.node(target)
        work = next((w for w in self._base_workloads() if w.id == target), None)
        if work is None and self.doc.has_edge(target):
            return self.doc.edge(target)
        return work

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
            self.shown_changed.emit()

    def _on_doc_reset(self) -> None:
        self._invalidate()
        self.set_active(None)

    def _on_doc_part_changed(self, name: str, old: Any, new: Any) -> None:
        self._invalidate()
        if name != "variants":
            return
        renames, edited = variant_changes(list(old), list(new))
        for old_name, new_name in renames.items():
            self.variant_renamed.emit(old_name, new_name)
        for variant_name in edited:
            self.variant_edited.emit(variant_name)
        if self.active is None or self.active in {v.name for v in new}:
            return
        # The active variant was renamed (follow it) or deleted (back to the base).
        self.set_active(renames.get(self.active))


class RunFeed:
    """Which document edits reach a simulation of ``variant`` while it runs.

    A parameter edit — a base value, settings, workloads, or the overrides of the simulated
    variant — is swapped in at the next tick (``take_parameters``); a move is not (the engine
    does not simulate positions); a structural edit (nodes or edges added or removed) makes the
    run stale and emits ``structure_changed`` once per edit. The variant's override edits are
    handled exactly like base edits: both only mark the parameters pending.
    """

    structure_changed = Signal()

    def __init__(self, session: VariantSession, variant: str | None) -> None:
        self.session = session
        self.doc = session.doc
        self.variant = variant
        self.pending = False
        self.stale = False
        self._structure_edit = False
        doc = self.doc
        self._links = Links(
            [
                (doc.node_changed, self._on_node_changed),
                (doc.part_changed, self._on_part_changed),
                (doc.node_added, self._on_structure),
                (doc.node_removed, self._on_structure),
                (doc.edge_added, self._on_structure),
                (doc.edge_removed, self._on_structure),
                (doc.changed, self._on_changed),
                (session.variant_edited, self._on_variant_edited),
                (session.variant_renamed, self._on_variant_renamed),
            ]
        )
        self.attach()

    def attach(self) -> None:
        """Start following the document and the session."""
        self._links.attach()

    def detach(self) -> None:
        """Stop following the document and the session."""
        self._links.detach()

    def take_parameters(self) -> Scenario | None:
        """The scenario to swap in before the next step, or None when nothing is pending.

        Raises ScenarioError when the variant no longer applies (an override made invalid);
        the parameters are then no longer pending, as after a refused base edit.
        """
        if not self.pending or self.stale:
            return None
        self.pending = False
        return self.session.effective(self.variant)

    def mark_stale(self) -> None:
        """The engine refused the parameters as structural: only a restart helps now."""
        self.stale = True
        self.pending = False

    # ------------------------------------------------------------ document events
    def _on_node_changed(self, old: Any, new: Any) -> None:
        if old.model_copy(update={"position": new.position}) != new:
            self.pending = True  # a move changes nothing the engine simulates

    def _on_part_changed(self, name: str, _old: Any, _new: Any) -> None:
        # Settings and workloads are parameters; meta and the scheduled-event list take effect
        # at the next restart (saving injected events must not inject them twice); variants
        # arrive through the session (``variant_edited``), which knows which one changed.
        if name in ("settings", "workloads"):
            self.pending = True

    def _on_variant_edited(self, name: str) -> None:
        if name == self.variant:
            self.pending = True

    def _on_variant_renamed(self, old: str, new: str) -> None:
        if old == self.variant:
            self.variant = new

    def _on_structure(self, _item: Any) -> None:
        self._structure_edit = True

    def _on_changed(self) -> None:
        if self._structure_edit:
            self._structure_edit = False
            self.mark_stale()
            self.structure_changed.emit()
