-- The next thing due on a certificate (a surveillance, the end of a suspension, the invitation to
-- recertify, the expiry), as its process last recorded it: the operators' lists filter on it
-- ("due before ..."). The process holds the truth; this copy follows each change of it.
ALTER TABLE certificates
    ADD COLUMN next_due_on   date,
    ADD COLUMN next_due_what text CHECK (next_due_what IN
        ('surveillance', 'suspension_end', 'recertification_invitation', 'expiry'));
CREATE INDEX certificates_next_due ON certificates (next_due_on);
CREATE INDEX certificates_star_level ON certificates (star_level);
