-- A staff session opened by a login that needs a second factor the
-- identity has not enrolled yet: it may only enrol one.
ALTER TABLE channel.sessions ADD COLUMN enrolment_only boolean NOT NULL DEFAULT false;
