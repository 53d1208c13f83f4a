-- Incidents (issue 12): a step whose activity failed for good waits for an operator's retry.
-- Written beside the process by an idempotent activity; `version` orders the writes, so a late
-- write of an older state never overwrites a newer one.
CREATE TABLE incidents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key         text NOT NULL UNIQUE,
    workflow_id text NOT NULL,
    run_id      text NOT NULL,
    activity    text NOT NULL,
    step        text NOT NULL,
    element_id  text,
    error_type  text,
    error       text NOT NULL,
    rule_id     text,
    reason      text NOT NULL,
    raised_at   timestamptz NOT NULL,
    state       text NOT NULL CHECK (state IN ('open', 'retrying', 'resolved')),
    retries     integer NOT NULL DEFAULT 0 CHECK (retries >= 0),
    retried_by  text,
    resolved_at timestamptz,
    version     integer NOT NULL CHECK (version >= 1),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX incidents_unresolved ON incidents (raised_at) WHERE state <> 'resolved';
CREATE INDEX incidents_workflow ON incidents (workflow_id);
