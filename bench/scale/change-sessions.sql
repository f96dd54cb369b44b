BEGIN;
-- :changes more sessions ended now, as the service writes them (the row, and its change row when the table exists).
INSERT INTO sessions (id, user_id, created_at, last_activity, expires_at, is_valid, revoked_at)
SELECT gen_random_uuid(), md5('user' || n)::uuid, now(), now(), now() + interval '7 days', false, now()
FROM generate_series(1, :changes) AS n;
DO $$
BEGIN
  IF to_regclass('revocation_events') IS NOT NULL THEN
    INSERT INTO revocation_events (kind, subject, seconds, active, version, created_at)
    SELECT 1, id::text, extract(epoch FROM revoked_at + interval '32 minutes 30 seconds')::bigint, false, (extract(epoch FROM revoked_at) * 1000)::bigint, revoked_at
    FROM sessions WHERE revoked_at = now();
  END IF;
END $$;
COMMIT;
