-- Summaries now count each check per month as well (`months`, the trend
-- lines). Those stored before lack the months: they are dropped here and
-- computed again when next asked. Stored results are derived from the
-- interchange tables and never the only copy of anything.
DELETE FROM stored_result_parts
 WHERE result_id IN (SELECT id FROM stored_results WHERE kind = 'summary');
DELETE FROM stored_results WHERE kind = 'summary';
