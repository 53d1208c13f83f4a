"""The patches of running workflows (docs/upgrades.md), asked once per run instead of once per patch.

Every ``workflow.patched(id)`` a run asks for the first time writes a marker and an upsert of the
``TemporalChangeVersion`` search attribute into its history (the core SDK adds the upsert; nothing turns
it off). A run begun today takes every patch's new path, yet it would write each patch's marker and
upsert: about 30 of the 340 events of a grant path, and a visibility write each for the server
(issue 17).

So a run asks one patch first, :data:`SINCE`, in its first workflow task (:func:`begin_run`): a run begun
under this release writes that one marker, and :func:`patched` is then true for every patch of
:data:`IN_FORCE` without asking it. A run begun under an earlier release has no :data:`SINCE` marker:
replaying its first task answers false, the SDK keeps that answer for the run, and :func:`begin_run` asks
the earlier releases' markers (:data:`EARLIER`) in the same task; a patch that release folded in is true
through its marker, and any other is asked on its own, with the marker its history already holds. A
patch added after this release is asked with ``workflow.patched`` itself (:data:`ASKED_ALONE`) until the
next release folds it in with a new :data:`SINCE`.
"""

from __future__ import annotations

from temporalio import workflow

SINCE = "patches-of-2026-12-03b"

# The releases before, newest first: each one's marker and the patches it folded in.
EARLIER: tuple[tuple[str, frozenset[str]], ...] = (
    ("patches-of-2026-12-03", frozenset({
        "certificate-life", "certificate-document", "initial-notices", "auditee-notices", "task-assigned-notice",
        "record-integrity", "io-task-queue", "audit-search-attributes", "task-held-while-listed",
        "programme-proposal", "local-register-writes",
    })),
)

IN_FORCE = EARLIER[0][1] | frozenset({"close-with-next-task", "outcome-withdrawn-unescalated"})

# Patches added since SINCE, each asked with ``workflow.patched`` itself: a marker and an upsert per run
# that asks it, until a later release folds them in under a new SINCE.
ASKED_ALONE: frozenset[str] = frozenset()


def begin_run() -> None:
    """Ask :data:`SINCE`, then (for a run begun before it) the earlier releases' markers: the first thing
    every workflow's run does, so that they are asked in the run's first workflow task (replayed, for a
    run begun before) and never first in a later one."""
    if workflow.patched(SINCE):
        return
    for marker, _ in EARLIER:
        if workflow.patched(marker):
            return


def patched(patch_id: str) -> bool:
    """True without a marker for a run begun since :data:`SINCE`; for a run begun under an earlier release
    that folded ``patch_id`` in, true through that release's marker; else ``workflow.patched(patch_id)``."""
    if patch_id not in IN_FORCE:
        raise ValueError(f"{patch_id!r} is not one of the patches {SINCE} folds in: ask workflow.patched")
    if workflow.patched(SINCE):
        return True
    for marker, folded in EARLIER:
        if patch_id in folded and workflow.patched(marker):
            return True
    return workflow.patched(patch_id)
