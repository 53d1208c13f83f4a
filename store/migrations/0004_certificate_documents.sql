-- R-10.2: the certificate documents as issued (grant, reissue, scope reduction, recertification).
-- Content-hashed; ``issue_key`` (workflow id + step) makes a retried activity find what it stored.
-- Kept, like the certificates themselves: a document once issued is evidence of what was certified.
CREATE TABLE certificate_documents (
    sha256             text NOT NULL,
    issue_key          text PRIMARY KEY,
    certificate_number text NOT NULL REFERENCES certificates(number),
    revision           integer NOT NULL CHECK (revision >= 0),
    reason             text NOT NULL,
    pages              integer NOT NULL CHECK (pages > 0),
    size               integer NOT NULL CHECK (size > 0),
    content            bytea NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
CREATE INDEX certificate_documents_number ON certificate_documents (certificate_number, created_at);
CREATE TRIGGER certificate_documents_kept
    BEFORE UPDATE OR DELETE ON certificate_documents
    FOR EACH ROW EXECUTE FUNCTION refuse_change('R-10.2: an issued certificate document is kept as issued');
