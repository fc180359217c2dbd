"""Data residency and sensitivity rules (issue 14): where a regulated dataset may run and live.

* A GDPR dataset (``sensitivity`` ``gdpr``) stays in its ``region``: every rack and cloud-burst
  node its training job may be placed on, and every storage node that serves those racks (data
  edges), must be in that region. A GDPR dataset without a region is an error too.
* A HIPAA dataset is held only on encrypted, audit-logged storage: every storage node serving the
  job's racks needs ``encryption_at_rest`` and ``audit_logging``.

Violations are errors (the scenario is refused, like a dangling edge) naming the dataset, the
job and the site. ``rules.py`` turns the tuples returned here into findings.
"""

from __future__ import annotations

from aifactory_twin.graph import FactoryIndex
from aifactory_twin.schema import CloudBurst, ComputeRack, Scenario, Storage, TrainingJob

ResidencyFinding = tuple[str, str, tuple[str, ...]]
"""(message, field path, ids involved): always an error."""
ANY_PLACEMENT = "any"


def residency_errors(scenario: Scenario, idx: FactoryIndex) -> list[ResidencyFinding]:
    """Every residency or sensitivity violation of the training jobs' datasets."""
    out: list[ResidencyFinding] = []
    for i, job in enumerate(scenario.workloads):
        if not isinstance(job, TrainingJob) or job.dataset is None:
            continue
        ds = job.dataset
        if ds.sensitivity not in ("gdpr", "hipaa"):
            continue
        label = f"{ds.sensitivity.upper()} dataset {ds.name or job.id!r} of training job {job.id!r}"
        path = f"workloads[{i}].dataset"
        anywhere = not job.placement or ANY_PLACEMENT in job.placement
        candidates = list(idx.nodes) if anywhere else [p for p in job.placement if p in idx.nodes]
        sites = [n for c in candidates if isinstance(n := idx.nodes[c], ComputeRack | CloudBurst)]
        racks = [n.id for n in sites if isinstance(n, ComputeRack)]
        stores = [
            s
            for sid in dict.fromkeys(p for r in racks for p in idx.predecessors("data", r))
            if isinstance(s := idx.nodes[sid], Storage)
        ]
        if ds.sensitivity == "gdpr":
            if not ds.region:
                out.append((f"{label} needs a residency region", f"{path}.region", (job.id,)))
                continue
            for site in [*sites, *stores]:
                if site.region != ds.region:
                    where = f"region {site.region!r}" if site.region else "no region"
                    out.append(
                        (
                            f"{label} must stay in region {ds.region!r} but could "
                            f"{'be held' if isinstance(site, Storage) else 'run'} on "
                            f"{site.kind} {site.id!r} ({where}); restrict the job's placement "
                            "or set the site's region",
                            path,
                            (job.id, site.id),
                        )
                    )
        else:
            for st in stores:
                missing = [
                    what
                    for what, ok in (
                        ("encryption at rest", st.encryption_at_rest),
                        ("audit logging", st.audit_logging),
                    )
                    if not ok
                ]
                if missing:
                    out.append(
                        (
                            f"{label} may only be held on encrypted, audited storage, but storage "
                            f"{st.id!r} serving its racks has no {' and no '.join(missing)}",
                            path,
                            (job.id, st.id),
                        )
                    )
    return out
