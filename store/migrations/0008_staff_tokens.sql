-- Issue 13, tokens: a bearer token has a life (issued, expires), can be revoked without handing out a
-- new one, and records when it last let its holder in. Only the token's hash stays in the register.
ALTER TABLE staff
    ADD COLUMN token_issued_at  timestamptz,
    ADD COLUMN token_expires_at timestamptz,
    ADD COLUMN token_revoked_at timestamptz,
    ADD COLUMN token_last_used_at timestamptz;

-- Tokens handed out before this migration never expired; from now on they do, 90 days after the
-- migration (the shipped CERTFLOW_TOKEN_LIFETIME_DAYS), so that no one is locked out on the day of the
-- upgrade and every old token is rotated within one lifetime.
UPDATE staff
   SET token_issued_at = created_at, token_expires_at = now() + interval '90 days'
 WHERE token_hash IS NOT NULL;

ALTER TABLE staff ADD CONSTRAINT staff_token_has_expiry
    CHECK (token_hash IS NULL OR token_expires_at IS NOT NULL);
