-- R-10.3.5 beyond certificate_numbers: 0001 keeps every allocated number, but a certificate row or a
-- site's sub-certificate could still be deleted, and then its number (or sub number) given to another
-- certificate or another site. Keep them, as the numbers are kept.

-- R-9.6.8: every certificate always has one public status, so its row is never deleted; it is
-- withdrawn or expires instead. Nor does a certificate change its number (R-10.3.1).
CREATE TRIGGER certificates_never_deleted
    BEFORE DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION refuse_change('R-10.3.5: a certificate is never deleted; withdraw it instead');
CREATE TRIGGER certificates_never_truncated
    BEFORE TRUNCATE ON certificates
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('R-10.3.5: a certificate is never deleted; withdraw it instead');
CREATE TRIGGER certificates_number_fixed
    BEFORE UPDATE ON certificates
    FOR EACH ROW WHEN (OLD.number IS DISTINCT FROM NEW.number)
    EXECUTE FUNCTION refuse_change('R-10.3.5: a certificate keeps its number');

-- R-9.6.3: suspended_until is the end of a suspension, so it exists only while suspended.
ALTER TABLE certificates
    ADD CONSTRAINT certificates_suspended_until_only_when_suspended
    CHECK (status = 'suspended' OR suspended_until IS NULL);

-- R-10.3.3 / R-10.3.5: a site taken out of the scope (R-9.6.6) is marked, not deleted, so its sub number
-- (number-1, number-2, ...) is never given to another site of the same certificate.
ALTER TABLE certificate_sites ADD COLUMN removed_on date;
ALTER TABLE certificate_sites
    ADD CONSTRAINT certificate_sites_sub_number_rule
    CHECK (sub_number = certificate_number || '-' || site_index::text);

CREATE TRIGGER certificate_sites_never_deleted
    BEFORE DELETE ON certificate_sites
    FOR EACH ROW EXECUTE FUNCTION refuse_change('R-10.3.5: a sub-certificate number is never freed; set removed_on instead');
CREATE TRIGGER certificate_sites_never_truncated
    BEFORE TRUNCATE ON certificate_sites
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change('R-10.3.5: a sub-certificate number is never freed; set removed_on instead');
CREATE TRIGGER certificate_sites_numbers_fixed
    BEFORE UPDATE ON certificate_sites
    FOR EACH ROW WHEN (OLD.certificate_number IS DISTINCT FROM NEW.certificate_number
                       OR OLD.site_id IS DISTINCT FROM NEW.site_id
                       OR OLD.site_index IS DISTINCT FROM NEW.site_index
                       OR OLD.sub_number IS DISTINCT FROM NEW.sub_number)
    EXECUTE FUNCTION refuse_change('R-10.3.5: a sub-certificate keeps its site and its number');

-- The characters a number may have agree with rules/numbering.py (R-10.3.2): upper-case letters,
-- digits, '.', '_' and '-'; '/' is reserved for the reissue marker (R-10.3.4), which is never part
-- of the number itself.
ALTER TABLE certificate_numbers DROP CONSTRAINT certificate_numbers_number_check;
ALTER TABLE certificate_numbers ADD CONSTRAINT certificate_numbers_number_check
    CHECK (number ~ '^[A-Z0-9][A-Z0-9._-]*$');
