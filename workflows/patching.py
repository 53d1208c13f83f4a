"""The patches of running workflows (docs/upgrades.md), asked once per run instead of once per patch.

Every ``workflow.patched(id)`` a run asks for the first time writes a marker and an upsert of the
``TemporalChangeVersion`` search attribute into its history (the core SDK adds the upsert; nothing turns
it off). A run begun today takes every patch's new path, yet it wrote the eleven patches' markers and
upserts: about 30 of the 340 events of a grant path, and a visibility write each for the server
(issue 17).

So a run asks one patch first, :data:`SINCE`, in its first workflow task (:func:`begin_run`): a run begun
under this release writes that one marker, and :func:`patched` is then true for every patch of
:data:`IN_FORCE` without asking it. A run begun before has no :data:`SINCE` marker: replaying its first
task answers false, the SDK keeps that answer for the run, and each patch is asked as before, with the
markers its history already holds. A patch added after this release is asked with ``workflow.patched``
itself, as before; the next such release can fold it in with a new :data:`SINCE`.
"""

from __future__ import annotations

from temporalio import workflow

SINCE = "patches-of-2026-12-03"

IN_FORCE = frozenset({
    "certificate-life", "certificate-document", "initial-notices", "auditee-notices", "task-assigned-notice",
    "record-integrity", "io-task-queue", "audit-search-attributes", "task-held-while-listed",
    "programme-proposal", "local-register-writes",
})

# Patches added since SINCE, each asked with ``workflow.patched`` itself: a marker and an upsert per run
# that asks it, until a later release folds them in under a new SINCE.
ASKED_ALONE = frozenset({"close-with-next-task"})


def begin_run() -> None:
    """Ask :data:`SINCE`: the first thing every workflow's run does, so that it is asked in the run's first
    workflow task (replayed, for a run begun before it) and never first in a later one."""
    workflow.patched(SINCE)


def patched(patch_id: str) -> bool:
    """``workflow.patched(patch_id)`` for a run begun before :data:`SINCE`; true without a marker for a run
    begun since."""
    if patch_id not in IN_FORCE:
        raise ValueError(f"{patch_id!r} is not one of the patches {SINCE} folds in: ask workflow.patched")
    return workflow.patched(SINCE) or workflow.patched(patch_id)
