"""The stages of one engine step; each owns its arrays, its step function and a typed cache.

Order of one step (``engine_state.EngineState.advance`` calls them, nothing else does):

1. ``availability`` — units arrived, failed, repaired (failures draw from the run's RNG).
2. ``work`` — what the racks can offer (capacity), job interruptions, placement, fabric
   bandwidth; later in the step the job progress (``jobs``).
3. ``it_power`` — what the racks draw for the work placed (the ``RackBlock``).
4. ``thermal`` — weather (COP, rejector capacity), cooling capacity granted to the racks, rack
   temperatures, throttle and shutdown (the ``HeatBlock``).
5. ``power`` — cooling power, the distribution chain, supply caps, facility power (the
   ``PlantBlock``).
6. ``ledger`` — money and the running totals behind the KPIs, and the recorded outputs.
7. ``staff`` — departures, hires.
8. ``lifecycle`` — finished runs through evaluation, governance review and launch.

``view`` builds the per-node view (canvas, recorder) from the last step, on demand.

Rules that keep the caches honest:

* Records and arrays handed from one stage to another are read-only
  (``handoff.frozen``/``handoff.read_only``): a stage that wants to change one makes a new
  array, so the identity checks (``x is y``) the memos rely on cannot be poisoned by an
  in-place edit; trying raises ``ValueError: assignment destination is read-only``.
* A stage's cache is one dataclass with named fields, reset as a whole when the parameters
  are swapped (``swap``).
* Stage modules import only lower stages (see the import-linter contract in
  ``pyproject.toml``); ``handoff`` holds the types they share.
"""
