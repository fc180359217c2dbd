"""Colour canvas by job: racks take their job's colour, idle hosts grey, the legend names jobs."""

from __future__ import annotations

import numpy as np

from aifactory_twin.sim import STATUS_NAMES, JobTable
from ui.live.overlay import IDLE_HOST_COLOR, JOB_COLORS, OverlayLegend, compute_overlay


def _argb(color: str) -> int:
    return 0xFF000000 | int(color.lstrip("#"), 16)


def test_job_overlay_colours_racks_by_job_and_names_the_largest(qtbot) -> None:  # type: ignore[no-untyped-def]
    kinds = np.array(["compute_rack"] * 4 + ["cooling_unit", "cloud_burst"])
    ids = tuple(f"job-{k}" for k in range(14))
    node_job = np.array([13, 13, -1, 0, -1, 1])  # job 13 on two racks, job 1 in the cloud
    held = np.zeros(14)
    held[[0, 1, 13]] = (8.0, 16.0, 128.0)
    table = JobTable(
        ids=ids, teams=("",) * 14, submit_s=np.zeros(14), start_s=np.zeros(14),
        end_s=np.full(14, np.nan), accelerators=held, held=held, node_job=node_job,
    )  # fmt: skip
    state = {"status": np.zeros(6, dtype=np.int64)}
    overlay = compute_overlay("job", state, STATUS_NAMES, kinds, table)
    colors = [int(c) for c in overlay.argb]
    assert colors[0] == colors[1] == _argb(JOB_COLORS[13 % len(JOB_COLORS)])
    assert colors[3] == _argb(JOB_COLORS[0]) and colors[5] == _argb(JOB_COLORS[1])
    assert colors[2] == _argb(IDLE_HOST_COLOR)  # an idle rack
    assert colors[4] == 0  # a cooling unit keeps its own colour
    # Largest first (racks coloured, then job order), then idle.
    assert overlay.entries[0] == ("job-13 (128)", JOB_COLORS[13 % len(JOB_COLORS)])
    assert [label for label, _ in overlay.entries] == [
        "job-13 (128)",
        "job-0 (8)",
        "job-1 (16)",
        "idle",
    ]
    legend = OverlayLegend()
    qtbot.addWidget(legend)
    legend.set_overlay("job", 0.0, overlay.entries)
    assert "job-13 (128)" in legend.toolTip()
    # No run: every host idle, nothing named.
    empty = compute_overlay("job", state, STATUS_NAMES, kinds, None)
    assert [int(c) for c in empty.argb[:4]] == [_argb(IDLE_HOST_COLOR)] * 4
    assert empty.entries == ()
