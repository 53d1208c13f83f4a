-- The staff's lists in the orders they offer (issue 13, ``sort``), each served by an index over the
-- order's key and its tie-breaker, as the keyset pages read them.
CREATE INDEX tasks_opened_keyset ON tasks (status, opened_at, id);
CREATE INDEX certificates_issued_keyset ON certificates (issued_on, number);
CREATE INDEX certificates_valid_to_keyset ON certificates (valid_to, number);
CREATE INDEX certificates_next_due_keyset ON certificates ((
    CASE WHEN status IN ('withdrawn', 'expired') THEN 'infinity'::date
         ELSE coalesce(next_due_on, 'infinity'::date) END), number);
