-- The body's register (DESIGN.md "Data and truth"). Written only by idempotent activities: every
-- table a retried activity writes to has a natural or idempotency key, so a retry writes nothing twice.

-- Organizations and their sites (R-9.1.1 basic data) -------------------------------------------------
CREATE TABLE organizations (
    id                 uuid PRIMARY KEY,
    name               text NOT NULL CHECK (btrim(name) <> ''),
    -- 统一社会信用代码: 18 characters, digits and upper-case letters.
    credit_code        text NOT NULL UNIQUE CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    registered_address text NOT NULL DEFAULT '',
    postcode           text NOT NULL DEFAULT '',
    contact            jsonb NOT NULL DEFAULT '{}'::jsonb,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sites (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    address         text NOT NULL DEFAULT '',
    postcode        text NOT NULL DEFAULT '',
    headcount       integer NOT NULL CHECK (headcount > 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, name)
);

-- Staff, roles and auditor qualifications (R-7) --------------------------------------------------------
CREATE TABLE staff (
    id         uuid PRIMARY KEY,
    name       text NOT NULL CHECK (btrim(name) <> ''),
    email      text UNIQUE,
    -- Only a SHA-256 hash of the bearer token is kept; the token itself is shown once.
    token_hash text UNIQUE,
    manager_id uuid REFERENCES staff(id),
    active     boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE staff_roles (
    staff_id uuid NOT NULL REFERENCES staff(id),
    role     text NOT NULL CHECK (role IN (
        'reviewer', 'programme_manager', 'auditor', 'technical_expert', 'mystery_shopper',
        'decision_maker', 'manager', 'operator')),
    PRIMARY KEY (staff_id, role)
);

-- R-7.auditor: a training certificate and a passed competence evaluation, each valid over a period.
CREATE TABLE auditor_qualifications (
    id         uuid PRIMARY KEY,
    staff_id   uuid NOT NULL REFERENCES staff(id),
    kind       text NOT NULL CHECK (kind IN ('training_certificate', 'competence_evaluation')),
    reference  text NOT NULL DEFAULT '',
    valid_from date NOT NULL,
    valid_to   date NOT NULL,
    CHECK (valid_to >= valid_from),
    UNIQUE (staff_id, kind, valid_from)
);

-- Applications (R-9.1.1, R-9.1.2) ------------------------------------------------------------------
CREATE TABLE applications (
    id              uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations(id),
    workflow_id     text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'submitted' CHECK (status IN (
        'submitted', 'under_review', 'accepted', 'rejected', 'in_audit', 'awaiting_decision',
        'granted', 'refused', 'withdrawn')),
    scope           text NOT NULL,
    data            jsonb NOT NULL,
    submitted_at    timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Certificate numbers: never freed (R-10.3.5) -----------------------------------------------------
CREATE SEQUENCE certificate_number_seq AS bigint START 1 NO CYCLE;

CREATE TABLE certificate_numbers (
    number         text PRIMARY KEY CHECK (number ~ '^[A-Z0-9][A-Z0-9/-]*$'),
    seq            bigint NOT NULL UNIQUE,
    -- Derived from workflow id + step: a retried allocation finds its number instead of taking another.
    allocation_key text NOT NULL UNIQUE,
    allocated_at   timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER certificate_numbers_never_freed
    BEFORE UPDATE OR DELETE ON certificate_numbers
    FOR EACH ROW EXECUTE FUNCTION refuse_change('R-10.3.5: a certificate number once given is never changed, freed or used again');
CREATE TRIGGER certificate_numbers_never_truncated
    BEFORE TRUNCATE ON certificate_numbers
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('R-10.3.5: a certificate number once given is never changed, freed or used again');

-- Certificates (R-10) -------------------------------------------------------------------------------
CREATE TABLE certificates (
    number          text PRIMARY KEY REFERENCES certificate_numbers(number),
    organization_id uuid NOT NULL REFERENCES organizations(id),
    application_id  uuid NOT NULL REFERENCES applications(id),
    workflow_id     text NOT NULL,
    -- R-9.6.8: every certificate always has exactly one public status.
    status          text NOT NULL CHECK (status IN ('valid', 'suspended', 'withdrawn', 'scope_reduced', 'expired')),
    star_level      text NOT NULL CHECK (star_level IN ('compliant', 'three_star', 'four_star', 'five_star')),
    scope           text NOT NULL,
    issued_on       date NOT NULL,
    reissued_on     date,
    revision        integer NOT NULL DEFAULT 0 CHECK (revision >= 0),
    valid_from      date NOT NULL,
    valid_to        date NOT NULL,
    suspended_until date,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_to > valid_from),
    CHECK (reissued_on IS NULL OR reissued_on >= issued_on)
);
CREATE INDEX certificates_organization ON certificates (organization_id);
CREATE INDEX certificates_status ON certificates (status);

-- R-10.3.3 per-site sub-certificates, -1, -2, ...
CREATE TABLE certificate_sites (
    certificate_number text NOT NULL REFERENCES certificates(number),
    site_id            uuid NOT NULL REFERENCES sites(id),
    site_index         integer NOT NULL CHECK (site_index >= 1),
    sub_number         text NOT NULL UNIQUE,
    PRIMARY KEY (certificate_number, site_id),
    UNIQUE (certificate_number, site_index)
);

-- Audits, item scores, findings (R-9.1.5 to R-9.1.8, R-6) ---------------------------------------
CREATE TABLE audits (
    id                text PRIMARY KEY,   -- the AuditWorkflow id
    workflow_id       text NOT NULL,      -- the CertificationWorkflow that ordered it
    organization_id   uuid NOT NULL REFERENCES organizations(id),
    kind              text NOT NULL CHECK (kind IN ('initial', 'surveillance', 'recertification', 'special')),
    status            text NOT NULL DEFAULT 'planned',
    person_days       numeric(6, 1) CHECK (person_days > 0),
    onsite_days       numeric(6, 1) CHECK (onsite_days >= 0),
    onsite_start      date,
    onsite_end        date,
    computed_level    text CHECK (computed_level IN ('compliant', 'three_star', 'four_star', 'five_star')),
    recommendation    text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (onsite_end IS NULL OR onsite_start IS NULL OR onsite_end >= onsite_start)
);

CREATE TABLE audit_team (
    audit_id text NOT NULL REFERENCES audits(id),
    staff_id uuid NOT NULL REFERENCES staff(id),
    -- R-7.expert: an expert never counts as an auditor, never leads.
    role     text NOT NULL CHECK (role IN ('leader', 'auditor', 'expert', 'mystery_shopper')),
    PRIMARY KEY (audit_id, staff_id, role)
);
CREATE UNIQUE INDEX audit_team_one_leader ON audit_team (audit_id) WHERE role = 'leader';

CREATE TABLE item_scores (
    audit_id         text NOT NULL REFERENCES audits(id),
    item_id          text NOT NULL,
    method_compliant boolean NOT NULL,
    executed         boolean NOT NULL,
    method_score     numeric(8, 2) NOT NULL CHECK (method_score >= 0),
    execution_score  numeric(8, 2) NOT NULL CHECK (execution_score >= 0),
    PRIMARY KEY (audit_id, item_id)
);

CREATE TABLE findings (
    id              text PRIMARY KEY,     -- derived from the audit and the step that recorded it
    audit_id        text NOT NULL REFERENCES audits(id),
    kind            text NOT NULL CHECK (kind IN ('major_nonconformity', 'minor_nonconformity', 'observation')),
    clause          text NOT NULL DEFAULT '',
    department      text NOT NULL DEFAULT '',
    description     text NOT NULL CHECK (btrim(description) <> ''),
    acknowledged_on date,
    corrected_on    date,
    verified_on     date,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX findings_audit ON findings (audit_id);

-- The event log: who did what, when, under which rule. Append-only. ----------------------------
CREATE TABLE events (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    occurred_at     timestamptz NOT NULL,
    workflow_id     text,
    subject         text,                 -- application id, certificate number, audit id ...
    actor           text NOT NULL,        -- a staff id, 'system' or 'applicant'
    kind            text NOT NULL,
    rule_id         text,
    element_id      text,                 -- the BPMN element the step belongs to
    data            jsonb NOT NULL DEFAULT '{}'::jsonb,
    recorded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX events_workflow ON events (workflow_id, occurred_at);
CREATE INDEX events_subject ON events (subject, occurred_at);
CREATE TRIGGER events_append_only
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION refuse_change('the event log is append-only');
CREATE TRIGGER events_never_truncated
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('the event log is append-only');

-- The task inbox: a projection of the human tasks the workflows have open. -------------------------
CREATE TABLE tasks (
    id              text PRIMARY KEY,     -- derived from workflow id + step
    workflow_id     text NOT NULL,
    kind            text NOT NULL,
    role            text NOT NULL,
    assignee_id     uuid REFERENCES staff(id),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'completed', 'cancelled')),
    rule_id         text,
    due_on          date,
    due_provisional boolean NOT NULL DEFAULT false,
    subject         text,
    title           text NOT NULL DEFAULT '',
    payload_schema  jsonb NOT NULL DEFAULT '{}'::jsonb,
    context         jsonb NOT NULL DEFAULT '{}'::jsonb,
    opened_at       timestamptz NOT NULL,
    reminded_at     timestamptz,
    escalated_at    timestamptz,
    completed_at    timestamptz,
    completed_by    uuid REFERENCES staff(id)
);
CREATE INDEX tasks_open ON tasks (status, role, due_on);
CREATE INDEX tasks_assignee ON tasks (assignee_id, status);

-- The notification outbox: one row per mail, keyed so that nothing is sent twice. ------------------
CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key text NOT NULL UNIQUE,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    template        text,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    message_id      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX outbox_pending ON outbox (status) WHERE status <> 'sent';

-- The holiday table the body edits: overrides the shipped data (rules/data/holidays_cn.json). --------
CREATE TABLE holiday_years (
    year         integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2200),
    source       text NOT NULL DEFAULT '',   -- e.g. the State Council notice
    published_on date
);

CREATE TABLE holidays (
    day            date PRIMARY KEY,
    is_working_day boolean NOT NULL,         -- true for a make-up working day (调休), false for a day off
    name           text NOT NULL DEFAULT '',
    updated_at     timestamptz NOT NULL DEFAULT now()
);
