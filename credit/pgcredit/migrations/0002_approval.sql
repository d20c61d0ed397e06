-- Approval chains: an application returned for more information stays
-- open, and the due date of the step awaiting decision is a column, so
-- late steps are found by an index.
ALTER TABLE credit.applications ADD COLUMN step_due date;

DROP INDEX credit.applications_one_open;
CREATE UNIQUE INDEX applications_one_open ON credit.applications (customer_id, product_id)
	WHERE status IN ('submitted', 'scored', 'returned');
CREATE INDEX applications_step_due ON credit.applications (step_due, id) WHERE status = 'scored';
