-- Who is delivering a report right now: set when a process (the daemon's schedule or
-- `cxsync report --send`) claims the report for delivery, cleared when it is marked sent or
-- the delivery failed. A second process finds it claimed and does not send it again. A claim
-- older than the claim timeout (a process that died mid-delivery) may be taken over.
ALTER TABLE reports ADD COLUMN sending_since TEXT;
