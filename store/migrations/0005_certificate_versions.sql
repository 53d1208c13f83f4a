-- Every version of a certificate kept (issue 12, "the register forgets"). A certificate's row holds only
-- what it says now; a report of a past month, the public register "as on" a day and the certification
-- file must come out the same whenever they are drawn. So each change of a certificate (issue, reissue
-- R-10.3.4, scope reduction R-9.6.6, suspension R-9.6.2, reinstatement, withdrawal R-9.6.7, renewal
-- R-9.3, expiry R-10.1) appends a version holding everything the certificate said from that day on:
-- its dates, status, level, scope, validity, and the organization and sites as certified (a snapshot:
-- a later application never changes what an earlier certificate said).
--
-- A version is in force from ``in_force_from`` until the day before the next version's (the view
-- certificate_versions_dated); the last one is in force still. Versions are never changed or deleted.
CREATE TABLE certificate_versions (
    certificate_number text NOT NULL REFERENCES certificates(number),
    version            integer NOT NULL CHECK (version >= 1),
    change             text NOT NULL CHECK (change IN (
        'issued', 'reissued', 'scope_reduced', 'sites_changed', 'suspended', 'reinstated', 'withdrawn',
        'renewed', 'expired', 'status_changed', 'carried_over')),
    in_force_from      date NOT NULL,
    status             text NOT NULL CHECK (status IN ('valid', 'suspended', 'withdrawn', 'scope_reduced', 'expired')),
    star_level         text NOT NULL CHECK (star_level IN ('compliant', 'three_star', 'four_star', 'five_star')),
    scope              text NOT NULL,
    issued_on          date NOT NULL,
    reissued_on        date,
    revision           integer NOT NULL CHECK (revision >= 0),
    valid_from         date NOT NULL,
    valid_to           date NOT NULL,
    suspended_until    date,
    -- {"name", "credit_code", "registered_address", "postcode"} as printed on the certificate (R-10.2.1)
    organization       jsonb NOT NULL,
    -- [{"site_id", "site_index", "sub_number", "name", "address", "postcode", "removed_on"}] (R-10.3.3)
    sites              jsonb NOT NULL DEFAULT '[]'::jsonb,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (certificate_number, version),
    CHECK (valid_to > valid_from),
    CHECK (status = 'suspended' OR suspended_until IS NULL)
);
CREATE INDEX certificate_versions_in_force ON certificate_versions (certificate_number, in_force_from);

CREATE TRIGGER certificate_versions_append_only
    BEFORE UPDATE OR DELETE ON certificate_versions
    FOR EACH ROW EXECUTE FUNCTION refuse_change('a certificate version is kept as it was: append a new version instead');
CREATE TRIGGER certificate_versions_never_truncated
    BEFORE TRUNCATE ON certificate_versions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('a certificate version is kept as it was: append a new version instead');

CREATE VIEW certificate_versions_dated AS
SELECT v.*,
       lead(v.in_force_from) OVER (PARTITION BY v.certificate_number ORDER BY v.version) - 1 AS in_force_to
FROM certificate_versions v;

-- The certificates already in the register carry over as their first version, as their row says now
-- (the best the register knows of them), in force from their last issue or reissue.
INSERT INTO certificate_versions (certificate_number, version, change, in_force_from, status, star_level, scope,
                                  issued_on, reissued_on, revision, valid_from, valid_to, suspended_until,
                                  organization, sites)
SELECT c.number, 1, 'carried_over', coalesce(c.reissued_on, c.issued_on), c.status, c.star_level, c.scope,
       c.issued_on, c.reissued_on, c.revision, c.valid_from, c.valid_to, c.suspended_until,
       jsonb_build_object('name', o.name, 'credit_code', o.credit_code,
                          'registered_address', o.registered_address, 'postcode', o.postcode),
       coalesce((SELECT jsonb_agg(jsonb_build_object(
                            'site_id', cs.site_id, 'site_index', cs.site_index, 'sub_number', cs.sub_number,
                            'name', s.name, 'address', s.address, 'postcode', s.postcode,
                            'removed_on', cs.removed_on) ORDER BY cs.site_index)
                 FROM certificate_sites cs JOIN sites s ON s.id = cs.site_id
                 WHERE cs.certificate_number = c.number), '[]'::jsonb)
FROM certificates c JOIN organizations o ON o.id = c.organization_id;
