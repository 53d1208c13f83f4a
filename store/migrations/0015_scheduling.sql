-- Issue 18, audit scheduling: what each person can give (home city, audit days a month), their absences,
-- and the planner's proposals.

-- One row per person who has said more than the body's defaults; no row: the defaults.
CREATE TABLE staff_capacity (
    staff_id                 uuid PRIMARY KEY REFERENCES staff(id),
    home_city                text NOT NULL DEFAULT '',
    max_audit_days_per_month integer CHECK (max_audit_days_per_month BETWEEN 0 AND 31),
    updated_by               text NOT NULL,
    updated_at               timestamptz NOT NULL DEFAULT now()
);

-- Leave and other absences. Records are kept: a cancelled absence keeps its row and says when and by whom.
CREATE TABLE staff_absences (
    id           uuid PRIMARY KEY,
    staff_id     uuid NOT NULL REFERENCES staff(id),
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    reason       text NOT NULL DEFAULT '',
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    cancelled_at timestamptz,
    cancelled_by text,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX staff_absences_by_staff ON staff_absences (staff_id, starts_on) WHERE cancelled_at IS NULL;

-- The planner's proposals, one row per version: a re-plan adds a version, never rewrites one. The latest
-- version of a key is the proposal in force. `proposal` is the programme's fields (schemas.scheduling.
-- ProposedAudit); `unplaced` says, with a rule id, why there is none.
CREATE TABLE audit_proposals (
    key         text NOT NULL,
    version     integer NOT NULL CHECK (version >= 1),
    workflow_id text NOT NULL DEFAULT '',
    task_id     text,
    kind        text NOT NULL CHECK (kind IN ('initial', 'surveillance', 'recertification', 'special')),
    demand      jsonb NOT NULL,
    proposal    jsonb,
    unplaced    jsonb,
    reason      text NOT NULL DEFAULT '',
    -- The step that made this version (workflow id + step): a retried activity finds its version.
    made_by     text NOT NULL,
    planned_on  date NOT NULL,
    planned_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key, version),
    UNIQUE (key, made_by),
    CHECK ((proposal IS NULL) <> (unplaced IS NULL))
);
CREATE INDEX audit_proposals_by_task ON audit_proposals (task_id) WHERE task_id IS NOT NULL;
CREATE INDEX audit_proposals_by_workflow ON audit_proposals (workflow_id);
