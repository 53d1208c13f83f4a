-- Issue 13, the staff directory: conflicts of interest the body knows of (a former employer, a
-- consultancy given, a relative at the organization). Declared against an organization's unified social
-- credit code, so one can be recorded before that organization ever applies. Records are kept: a conflict
-- that no longer holds gets its end day, it is never deleted.
CREATE TABLE staff_conflicts (
    id                uuid PRIMARY KEY,
    staff_id          uuid NOT NULL REFERENCES staff(id),
    credit_code       text NOT NULL CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    organization_name text NOT NULL DEFAULT '',
    reason            text NOT NULL CHECK (btrim(reason) <> ''),
    declared_on       date NOT NULL,
    ended_on          date CHECK (ended_on IS NULL OR ended_on >= declared_on),
    recorded_by       text NOT NULL,
    recorded_at       timestamptz NOT NULL DEFAULT now(),
    ended_by          text
);
CREATE INDEX staff_conflicts_by_staff ON staff_conflicts (staff_id, declared_on);
CREATE INDEX staff_conflicts_by_organization ON staff_conflicts (credit_code) WHERE ended_on IS NULL;
