-- Idempotency-Key (issue 13): a POST that starts something (an application, a special audit, a
-- notification ...) sent again with the same key starts nothing new; the first answer is given again.
-- Keyed by who asked (a hash of their token, never the token) and the key; the request's hash tells a
-- repeat from a different request that reuses the key.
CREATE TABLE idempotency_keys (
    caller        text NOT NULL,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  text NOT NULL,
    status_code   integer,            -- NULL while the first request is being answered
    content_type  text,
    location      text,
    body          bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, key)
);
