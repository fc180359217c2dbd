"""Live view benchmark: frontier-scale running in the full window (offscreen).

Figures: timer frames per second, simulation steps per second and the simulated speed reached,
input latency (a probe posts an event every 25 ms and measures how long it waits in the event
loop — exactly what a key press or click waits), time per chart redraw, time per panel refresh
(tiles, canvas overlay, alarms), and the one-off cost of a parameter edit mid-run.
Run: ``python -m benchmarks.bench_live`` (or ``python -m benchmarks``).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

SCENE = "frontier-scale"
RUN_WALL_S = 8.0
PROBE_INTERVAL_MS = 25
SPEED_S_PER_S = 86400.0
HORIZON_S = 365 * 86400.0


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from aifactory_twin.commands import SetField
    from aifactory_twin.resources import scenes_dir
    from ui.live.live_view import install_live_view
    from ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    scratch = Path(tempfile.mkdtemp(prefix="aift-bench-live-"))
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings=settings, recovery_dir=scratch / "rec", offer_recovery=False)
    window.resize(1600, 1000)
    window.show()
    t0 = time.perf_counter()
    window.load_now(str(scenes_dir() / f"{SCENE}.aift.json"))
    load_s = time.perf_counter() - t0
    # The editor creates edge items in background batches after a load; finish them first so
    # the figures are the steady state of a running simulation, not of the editor loading.
    materialize = getattr(window.scene, "materialize_edges", None)
    if materialize is not None:
        materialize()
    live = getattr(window, "live", None) or install_live_view(window)
    live.set_overlay_mode("temperature")
    for _ in range(3):
        app.processEvents()

    redraw_ms: list[float] = []
    original_refresh = live.charts.refresh

    def timed_refresh(force: bool = False) -> bool:
        start = time.perf_counter()
        redrawn = original_refresh(force)
        if redrawn:
            redraw_ms.append((time.perf_counter() - start) * 1000.0)
        return redrawn

    live.charts.refresh = timed_refresh  # type: ignore[method-assign]

    panel_ms: list[float] = []
    original_panels = live.refresh_panels

    def timed_panels(force: bool = False) -> None:
        original_panels(force)
        panel_ms.append(live.panel_refresh_ms)

    live.refresh_panels = timed_panels  # type: ignore[method-assign]

    latencies_ms: list[float] = []
    probe_type = QEvent.Type(QEvent.registerEventType())

    class Probe(QObject):
        def event(self, ev: QEvent) -> bool:
            if ev.type() == probe_type:
                latencies_ms.append((time.perf_counter() - ev.sent_at) * 1000.0)  # type: ignore[attr-defined]
                return True
            return super().event(ev)

    probe = Probe()

    def send_probe() -> None:
        ev = QEvent(probe_type)
        ev.sent_at = time.perf_counter()  # type: ignore[attr-defined]
        QCoreApplication.postEvent(probe, ev)

    probe_timer = QTimer()
    probe_timer.setInterval(PROBE_INTERVAL_MS)
    probe_timer.timeout.connect(send_probe)

    controller = live.controller
    controller.horizon_s = HORIZON_S  # long enough that the run never ends while measured
    controller.set_speed(SPEED_S_PER_S)
    frame_ms: list[float] = []
    controller.ticked.connect(lambda: frame_ms.append(controller.last_frame_ms))
    t0 = time.perf_counter()
    controller.run()
    compile_s = time.perf_counter() - t0
    engine = controller.engine
    assert engine is not None
    frames_before, steps_before = controller.frames, engine.step_index
    probe_timer.start()
    wall0 = time.perf_counter()
    edit_ms: list[float] = []
    measured: dict[str, float] = {}

    def finish() -> None:
        # End of the measured window; then a parameter edit mid-run, timed on its own: the
        # next frame swaps the parameters (a recompile) before stepping. It runs inside the
        # loop because quitting the loop shuts the window down.
        probe_timer.stop()
        measured["wall_s"] = time.perf_counter() - wall0
        measured["frames"] = controller.frames - frames_before
        measured["steps"] = engine.step_index - steps_before
        controller.pause()
        rack_id = next(
            n.id for n in window.doc.nodes.values() if getattr(n, "kind", "") == "compute_rack"
        )
        rack = window.doc.node(rack_id)
        new_w = rack.host_overhead_w + 100.0  # type: ignore[attr-defined]
        window.push(SetField(window.doc, [rack_id], "host_overhead_w", new_w))
        window.stack.setClean()
        t0 = time.perf_counter()
        controller._apply_pending_parameters(engine)
        engine.step()
        edit_ms.append((time.perf_counter() - t0) * 1000.0)
        # exit(), not quit(): Qt 6's quit() first closes every window (which asks about
        # unsaved changes and shuts the live view down).
        app.exit(0)

    QTimer.singleShot(int(RUN_WALL_S * 1000), finish)
    app.exec()
    wall_s = measured["wall_s"]
    frames = int(measured["frames"])
    steps = int(measured["steps"])

    result = {
        "scene": SCENE,
        "nodes": len(engine.node_ids),
        "load_s": load_s,
        "compile_and_start_s": compile_s,
        "wall_s": wall_s,
        "timer_frames_per_s": frames / wall_s,
        "steps_per_s": steps / wall_s,
        "sim_speed_reached_s_per_s": steps * engine.compiled.step_s / wall_s,
        "frame_stepping_ms_p50": _pct(frame_ms, 0.5),
        "frame_stepping_ms_max": max(frame_ms, default=float("nan")),
        "input_latency_ms_p50": _pct(latencies_ms, 0.5),
        "input_latency_ms_p95": _pct(latencies_ms, 0.95),
        "input_latency_ms_max": max(latencies_ms, default=float("nan")),
        "chart_redraws": len(redraw_ms),
        "chart_redraw_ms_p50": _pct(redraw_ms, 0.5),
        "chart_redraw_ms_p95": _pct(redraw_ms, 0.95),
        "chart_paint_ms_last": live.charts.view.last_paint_ms,
        "panel_refresh_ms_p50": _pct(panel_ms, 0.5),
        "panel_refresh_ms_max": max(panel_ms, default=float("nan")),
        "parameter_edit_frame_ms": edit_ms[0] if edit_ms else float("nan"),
        "recorded_ticks": engine.recorder.n,
        "latency_samples": len(latencies_ms),
        "latency_mean_ms": statistics.fmean(latencies_ms) if latencies_ms else float("nan"),
    }
    print(f"bench_live ({SCENE}, {result['nodes']:,} nodes, {RUN_WALL_S:g} s at 1 day/s requested)")
    for key, value in result.items():
        if isinstance(value, float):
            print(f"  {key:32s} {value:10.2f}")
        else:
            print(f"  {key:32s} {value}")
    live.shutdown()
    window.shutdown()
    window.stack.setClean()
    window.close()
    return result


if __name__ == "__main__":
    main()
