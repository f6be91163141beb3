CREATE OR REPLACE PROCEDURE etl.resume()
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
/* Ends the hub's pause (see etl.pause); the next run proceeds. Safe to repeat. */
BEGIN
    DELETE FROM etl.hub_pause;
    IF FOUND THEN
        RAISE NOTICE 'etl.resume: the hub runs again';
    ELSE
        RAISE NOTICE 'etl.resume: the hub was not paused';
    END IF;
END;
$$;

COMMENT ON PROCEDURE etl.resume () IS
'Ends the hub''s pause; the next run proceeds.';

GRANT EXECUTE ON PROCEDURE etl.resume() TO hub_etl;
