-- Dates are facts: a task that records something happening on a day (stage 1, a visit, the on-site
-- audit) can be done from that day; the inbox shows it, the workflow refuses an earlier record.
ALTER TABLE tasks ADD COLUMN available_from date;
