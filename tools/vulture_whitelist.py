"""Names vulture reports as unused that are used, each with the reason (read by vulture only).

``make lint`` runs vulture over aifactory_twin/, ui/, tools/ and benchmarks/ (settings in
pyproject.toml, ``[tool.vulture]``); tests do not count as users, so code only a test calls is
reported too. When it reports something: delete it if nothing needs it; otherwise add it to the
section below that says why it stays. Pydantic validators are skipped by decorator.
"""

# ruff: noqa: B018, F821 — bare names and attribute accesses are how vulture whitelists work.

# --- Qt and pyqtgraph virtual overrides: the toolkit calls them, Python code never does --------
_.paint
_.drawForeground
_.drawBackground
_.dragEnterEvent
_.dragMoveEvent
_.dropEvent
_.wheelEvent
_.mouseClickEvent  # pyqtgraph calls it on a graphics item the user clicks
_.startDrag
_.supportedActions  # parameter of startDrag
_.eventFilter
_.rowCount
_.columnCount
_.headerData
_.filterAcceptsRow
_.source_parent  # parameter of filterAcceptsRow
_.mergeWith  # QUndoCommand merging (ui/undo.py)
_.tickStrings  # pyqtgraph AxisItem
_.tickValues  # pyqtgraph AxisItem
_.picture  # pyqtgraph AxisItem's cached drawing: None makes it redraw (the Gantt's row ids)
_.updateMin  # pyqtgraph LabelItem
_._sizeHint  # read by pyqtgraph's GraphicsWidget.sizeHint
_._mouse_proxy  # keeps the pyqtgraph SignalProxy alive; it disconnects when collected

# --- pydantic -------------------------------------------------------------------------------
_.model_config

# --- schema fields: tests/core/test_schema_fields.py decides whether each is read -----------
_.battery_kwh
_.efficiency_curve
_.scale_up_bw_gbps_per_dir
_.latency_target_ms
_.author
_.schema_version  # the envelope: io/load.py checks it on the parsed JSON before validation
_.tensor  # ParallelLayout fields: perf/from_scenario.py reads them by name
_.pipeline
_.context
_.expert
_.micro_batch
_.total_parameters_b  # catalog_models preset field, checked against the model shape

# --- observation points the UI tests read (state a user sees, exposed for the test) --------
_.line_start
_.line_end
_.is_stub
_.chart_data
_.presentation
_.activate_row
_.restart_prompt
_.last_status
_.entry_for
_.shown_groups
_.overlay_time_s
_.last_menu  # the canvas context menu last shown
_.visible_texts  # the command palette's visible entries

# --- perf/: the step-time breakdown and shape totals the perf-model tests check ---------------
RECOMPUTE_NONE  # the 0 of the recompute modes (flops.py names all three)
_.compute_s
_.bubble_s
_.tp_s
_.cp_s
_.ep_s
_.pp_s
_.optimizer_s
_.hfu
_.total_params
_.active_params

# --- core API exercised by the headless tests only ------------------------------------------
UndoStack  # the Qt-free undo stack: commands' undo contract without Qt (tests/core)
_.can_undo
_.can_redo
_.set_clean
_.is_clean
_.edge_index  # FactoryDocument, mirrors node_index
_.insert_node  # FactoryDocument single-item forms of insert_many / remove_many
_.remove_node
_.in_batch
_.heat_removed_j  # thermal stage's energy ledger, read by the energy-balance test

# --- aifactory_twin/sim/: the physics models of issue 10 landed before their callers, and the
# thermal stage's starting temperatures. Remove an entry when its code is wired or deleted.
ChillerCompressor
DEFAULT_MIN_SPEED
STANDBY_FRACTION
affinity_power_kw
chiller_power_kw
climate_year
curve_loss_kw
efficiency_at
feed_values
leak_w
parse_epw
parse_grid_csv
rc_step_with_trip
room_share
_.monthly_mean_c
_.temp0_c

# --- Engine hooks other processes plug into (tests call them until those processes land) -------
_.set_gate  # the scheduler's job-start gate; issue 14's dataset readiness ANDs into it
_.next_submission_s  # the next runtime job submission; event-driven stepping must stop there
