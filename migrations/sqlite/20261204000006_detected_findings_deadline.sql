-- The profile's deadline entry a detected finding's rule applied (a
-- `DeadlineKey`, e.g. `reply_conditional_published`): the duty a notice
-- cites as broken. Rows of earlier runs have none; the notice then takes
-- the first entry of the rule the governing profile regulates.
ALTER TABLE detected_findings ADD COLUMN deadline_key TEXT;
