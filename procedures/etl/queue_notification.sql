CREATE OR REPLACE FUNCTION etl.queue_notification()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $$
/*
 * Trigger on etl.pipeline_run: a run that reaches an end state (success, failed, paused)
 * queues its notification in etl.notification_outbox; a run that ends again (a cleared
 * Airflow task) queues it again.
 */
BEGIN
    IF NEW.state IN ('success', 'failed', 'paused')
        AND (TG_OP = 'INSERT' OR OLD.state IS DISTINCT FROM NEW.state) THEN
        INSERT INTO etl.notification_outbox AS o (run_id)
        VALUES (NEW.run_id)
        ON CONFLICT (run_id) DO UPDATE
            SET queued_at = clock_timestamp(), claimed_at = NULL, claimed_by = NULL;
    END IF;
    RETURN NULL;
END;
$$;

COMMENT ON FUNCTION etl.queue_notification() IS
'Trigger: queues a run''s notification in etl.notification_outbox when the run ends.';

DROP TRIGGER IF EXISTS pipeline_run_queue_notification ON etl.pipeline_run;
CREATE TRIGGER pipeline_run_queue_notification
AFTER INSERT OR UPDATE OF state ON etl.pipeline_run
FOR EACH ROW EXECUTE FUNCTION etl.queue_notification();
