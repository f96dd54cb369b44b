-- 1M recent revocations of each kind: users cut off, ended sessions, revoked jtis (all within
-- the last 20 minutes, so every one can still refuse a live token), and, when the table exists,
-- the change rows the service writes with each of them.
-- psql -v revoked=1000000
UPDATE app_users SET tokens_valid_after = now() - (random() * interval '20 minutes'), updated_at = now()
WHERE id IN (SELECT md5('user' || n)::uuid FROM generate_series(1, :revoked) AS n);

INSERT INTO sessions (id, user_id, created_at, last_activity, expires_at, is_valid, revoked_at)
SELECT md5('session' || n)::uuid, md5('user' || (1 + n % :revoked))::uuid, now() - interval '1 hour', now() - interval '30 minutes',
       now() + interval '6 days', false, now() - (random() * interval '20 minutes')
FROM generate_series(1, :revoked) AS n;

INSERT INTO revoked_access_tokens (jti, user_id, expires_at, revoked_at)
SELECT md5('jti' || n), md5('user' || (1 + n % :revoked))::uuid, now() + interval '10 minutes', now() - (random() * interval '20 minutes')
FROM generate_series(1, :revoked) AS n;

-- One change row per revocation, numbered in the order they happened (as the service writes them).
DO $$
BEGIN
  IF to_regclass('revocation_events') IS NOT NULL THEN
    INSERT INTO revocation_events (kind, subject, seconds, active, version, created_at)
    SELECT kind, subject, seconds, active, version, created_at FROM (
      SELECT 0 AS kind, id::text AS subject, extract(epoch FROM tokens_valid_after)::bigint AS seconds, is_active AS active,
             (extract(epoch FROM updated_at) * 1000)::bigint AS version, tokens_valid_after AS created_at
      FROM app_users WHERE tokens_valid_after IS NOT NULL
      UNION ALL
      SELECT 1, id::text, extract(epoch FROM revoked_at + interval '32 minutes 30 seconds')::bigint, false,
             (extract(epoch FROM revoked_at) * 1000)::bigint, revoked_at
      FROM sessions WHERE revoked_at IS NOT NULL
      UNION ALL
      SELECT 2, jti, extract(epoch FROM expires_at)::bigint, false, (extract(epoch FROM revoked_at) * 1000)::bigint, revoked_at
      FROM revoked_access_tokens) AS changes
    ORDER BY created_at;
  END IF;
END $$;
ANALYZE;
