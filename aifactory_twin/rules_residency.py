"""Data residency and sensitivity rules (issue 14): where a regulated dataset may run and live.

* A GDPR dataset (``sensitivity`` ``gdpr``) stays in its ``region``: every rack and cloud-burst
  node its training job may be placed on, and every storage node that serves those racks (data
  edges), must be in that region. A GDPR dataset without a region is an error too.
* A HIPAA dataset is held only on encrypted, audit-logged storage: every storage node serving the
  job's racks needs ``encryption_at_rest`` and ``audit_logging``.

Storage "holding" a dataset = storage with a data edge to the job's racks, plus storage its
dataset node links to by a data edge. Violations are errors (the scenario is refused, like a
dangling edge) naming the dataset, the job and the site; so is a ``dataset_id`` naming no dataset
node. ``rules.py`` turns the tuples returned here into findings.
"""

from __future__ import annotations

from aifactory_twin.graph import FactoryIndex
from aifactory_twin.schema import CloudBurst, ComputeRack, Scenario, Storage, TrainingJob

ResidencyFinding = tuple[str, str, str, tuple[str, ...]]
"""(code, message, field path, ids involved): always an error."""
ANY_PLACEMENT = "any"


def residency_errors(scenario: Scenario, idx: FactoryIndex) -> list[ResidencyFinding]:
    """Every residency or sensitivity violation, and every ``dataset_id`` naming no dataset."""
    out: list[ResidencyFinding] = []
    for i, job in enumerate(scenario.workloads):
        if not isinstance(job, TrainingJob):
            continue
        path = f"workloads[{i}].dataset"
        if job.dataset_id and idx.kind.get(job.dataset_id) != "dataset":
            message = f"training job {job.id!r} names dataset {job.dataset_id!r}, which is not "
            message += "a dataset node"
            out.append(("dataset-missing", message, f"{path}_id", (job.id, job.dataset_id)))
            continue
        ds = scenario.job_dataset(job)
        if ds is None or ds.sensitivity not in ("gdpr", "hipaa"):
            continue
        name = ds.name or job.id
        label = f"{ds.sensitivity.upper()} dataset {name!r} of training job {job.id!r}"
        anywhere = not job.placement or ANY_PLACEMENT in job.placement
        candidates = list(idx.nodes) if anywhere else [p for p in job.placement if p in idx.nodes]
        sites = [n for c in candidates if isinstance(n := idx.nodes[c], ComputeRack | CloudBurst)]
        racks = [n.id for n in sites if isinstance(n, ComputeRack)]
        # Where it is held: storage serving its racks, and storage its dataset node links to.
        held = [p for r in racks for p in idx.predecessors("data", r)]
        if job.dataset_id:
            held += idx.successors("data", job.dataset_id)
        stores = [s for sid in dict.fromkeys(held) if isinstance(s := idx.nodes[sid], Storage)]
        if ds.sensitivity == "gdpr":
            if not ds.region:
                out.append(
                    ("data-residency", f"{label} needs a residency region", f"{path}.region",
                     (job.id,))
                )  # fmt: skip
                continue
            for site in [*sites, *stores]:
                if site.region != ds.region:
                    where = f"region {site.region!r}" if site.region else "no region"
                    verb = "be held" if isinstance(site, Storage) else "run"
                    out.append(
                        (
                            "data-residency",
                            f"{label} must stay in region {ds.region!r} but could {verb} on "
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
                            "data-residency",
                            f"{label} may only be held on encrypted, audited storage, but storage "
                            f"{st.id!r} holding it has no {' and no '.join(missing)}",
                            path,
                            (job.id, st.id),
                        )
                    )
    return out
