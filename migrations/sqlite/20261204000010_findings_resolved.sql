-- A detected finding heals when the breach ends: a late stage is answered,
-- stale data refreshed. The row stays (its first and last sighting, its
-- status), and records when the breach ended and why (src/metrics/findings.rs).
ALTER TABLE detected_findings ADD COLUMN resolved_at BIGINT;
ALTER TABLE detected_findings ADD COLUMN resolved_cause TEXT;
