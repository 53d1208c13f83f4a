-- The inbox read a page at a time (issue 13: keyset pagination): by status, then due date (undated
-- last) and id, the order the inbox shows and the key its cursor carries.
CREATE INDEX tasks_inbox_keyset ON tasks (status, (coalesce(due_on, 'infinity'::date)), id);
CREATE INDEX tasks_role_keyset ON tasks (role, status, (coalesce(due_on, 'infinity'::date)), id);

-- Applications listed newest first, a page at a time (GET /api/v1/applications).
CREATE INDEX applications_by_submission ON applications ((submitted_at), id);
