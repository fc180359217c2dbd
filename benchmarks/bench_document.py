"""Document benchmark: delete 1,000 nodes of frontier-scale and undo, as commands.

Figures (issue 9, "Benchmark"): the time of ``RemoveItems`` of 1,000 nodes (with their incident
edges) and of its undo, on the bare document and with the editor window attached (canvas items,
inspector, validation, variants — everything that mirrors the document). Beside them, in the same
run, the reference: the per-item path the document used before issue 9 (one ``insert`` per
item, each rebuilding the whole id → object dict to put the item back at its index), timed on
``REFERENCE_NODES`` nodes' worth of removed items because the full 1,000 takes minutes.
Run: ``python -m benchmarks.bench_document`` (or ``python -m benchmarks``).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

SCENE = "frontier-scale"
DELETE_NODES = 1000
REFERENCE_NODES = 20


def _doomed(node_ids: list[str], count: int) -> list[str]:
    """``count`` node ids spread evenly over the file (every k-th), as a rubber band would not."""
    stride = max(len(node_ids) // count, 1)
    return node_ids[::stride][:count]


def _legacy_insert(mapping: dict[str, Any], key: str, value: Any, index: int) -> dict[str, Any]:
    """The pre-issue-9 ``FactoryDocument._insert``: rebuild the whole dict to insert at index."""
    if index >= len(mapping):
        mapping[key] = value
        return mapping
    items = list(mapping.items())
    items.insert(max(index, 0), (key, value))
    return dict(items)


def reference_undo_s(scenario: Any, node_ids: list[str]) -> float:
    """Undo of a delete the old way: put every removed node and edge back one by one."""
    nodes = {n.id: n for n in scenario.nodes}
    edges = {e.id: e for e in scenario.edges}
    doomed = set(node_ids)
    removed_edges = [
        (i, e) for i, e in enumerate(edges.values()) if e.source in doomed or e.target in doomed
    ]
    removed_nodes = [(i, n) for i, n in enumerate(nodes.values()) if n.id in doomed]
    for _, e in removed_edges:
        del edges[e.id]
    for _, n in removed_nodes:
        del nodes[n.id]
    t0 = time.perf_counter()
    for index, node in removed_nodes:
        nodes = _legacy_insert(nodes, node.id, node, index)
    for index, edge in removed_edges:
        edges = _legacy_insert(edges, edge.id, edge, index)
    return time.perf_counter() - t0


def _delete_and_undo(push: Any, undo: Any, node_ids: list[str]) -> tuple[float, float]:
    from aifactory_twin.commands import RemoveItems

    t0 = time.perf_counter()
    push(RemoveItems(node_ids))
    t1 = time.perf_counter()
    undo()
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1


def main() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from aifactory_twin.commands import UndoStack
    from aifactory_twin.document import FactoryDocument
    from aifactory_twin.io import load_scenario
    from aifactory_twin.resources import scenes_dir

    path = scenes_dir() / f"{SCENE}.aift.json"
    scenario = load_scenario(path)
    doomed = _doomed([n.id for n in scenario.nodes], DELETE_NODES)
    doomed_set = set(doomed)
    incident = sum(1 for e in scenario.edges if e.source in doomed_set or e.target in doomed_set)
    figures: dict[str, Any] = {"nodes": len(scenario.nodes), "edges": len(scenario.edges)}
    print(
        f"{SCENE}: {len(scenario.nodes):,} nodes, {len(scenario.edges):,} edges; deleting "
        f"{len(doomed):,} nodes and their {incident:,} edges"
    )

    # --- the bare document with a headless undo stack
    doc = FactoryDocument(scenario)
    stack = UndoStack(doc)
    before = doc.scenario
    delete_s, undo_s = _delete_and_undo(stack.push, stack.undo, doomed)
    assert doc.scenario == before, "undo did not restore the document"
    figures.update(document_delete_s=delete_s, document_undo_s=undo_s)
    print(f"document: delete {delete_s:.3f} s, undo {undo_s:.3f} s")

    # --- the reference: the old per-item undo, on REFERENCE_NODES nodes and their edges
    ref_doomed = _doomed([n.id for n in scenario.nodes], REFERENCE_NODES)
    ref_s = reference_undo_s(scenario, ref_doomed)
    t0 = time.perf_counter()
    _delete_and_undo(stack.push, stack.undo, ref_doomed)
    new_ref_s = time.perf_counter() - t0
    figures.update(reference_old_undo_s=ref_s, document_delete_undo_reference_s=new_ref_s)
    print(
        f"reference, {REFERENCE_NODES} nodes: old per-item undo (dict rebuild per item) "
        f"{ref_s:.3f} s vs delete+undo now {new_ref_s:.3f} s ({ref_s / new_ref_s:.0f}x)"
    )

    # --- the editor window: canvas items and every panel mirroring the document
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    scratch = Path(tempfile.mkdtemp(prefix="bench-doc-"))
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, recovery_dir=scratch / "recovery", offer_recovery=False)
    window.resize(1600, 1000)
    window.show()
    window.load_now(str(path))
    window.scene.materialize_all()
    app.processEvents()
    delete_s, undo_s = _delete_and_undo(window.push, window.stack.undo, doomed)
    t0 = time.perf_counter()
    app.processEvents()  # whatever the edit left for the event loop (timers, repaint)
    settle_s = time.perf_counter() - t0
    assert len(window.scene.node_items) == len(scenario.nodes)
    figures.update(window_delete_s=delete_s, window_undo_s=undo_s, window_settle_s=settle_s)
    print(
        f"editor window (canvas built): delete {delete_s:.3f} s, undo {undo_s:.3f} s, "
        f"then {settle_s:.3f} s of queued work"
    )
    window.stack.setClean()
    window.shutdown()
    window.close()
    return figures


if __name__ == "__main__":
    main()
