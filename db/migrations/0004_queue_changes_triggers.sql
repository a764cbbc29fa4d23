-- Every transaction that changes what a queue page shows leaves its id in queue_changes (once), so the
-- API can tell whether a page it read earlier is still what PostgreSQL would answer now. Inserting a
-- row per transaction takes no shared lock: writers never wait on each other here.
CREATE OR REPLACE FUNCTION queue_changes_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO queue_changes (txid) VALUES (pg_current_xact_id()::text::bigint) ON CONFLICT (txid) DO NOTHING;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER messages_queue_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON messages
  FOR EACH STATEMENT EXECUTE FUNCTION queue_changes_record();
--> statement-breakpoint
-- Broken promises raise an account's risk score.
CREATE TRIGGER promises_queue_changes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON promises
  FOR EACH STATEMENT EXECUTE FUNCTION queue_changes_record();
--> statement-breakpoint
-- Accounts change all day (balance, stage, facts version); a page shows only these three.
CREATE TRIGGER accounts_queue_changes AFTER UPDATE OF name, segment, mode ON accounts
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.segment IS DISTINCT FROM NEW.segment OR OLD.mode IS DISTINCT FROM NEW.mode)
  EXECUTE FUNCTION queue_changes_record();
