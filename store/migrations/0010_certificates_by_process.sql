-- The inbox names each task's certificate (issue 13): tasks are found by their process's workflow id,
-- and the certificate that process issued is looked up by that id, latest issue first.
CREATE INDEX certificates_workflow ON certificates (workflow_id, issued_on DESC);
