-- 1M users (none revoked) and 10M audit rows, straight into the real tables.
-- psql -v users=1000000 -v audit=10000000
INSERT INTO app_users (id, created_at, updated_at, email, normalized_email, first_name, last_name, password,
                       is_active, is_verified, roles, security_stamp, two_factor_enabled)
SELECT md5('user' || n)::uuid, now() - interval '30 days', now() - interval '30 days',
       'user' || n || '@example.com', 'user' || n || '@example.com', 'Seed', 'User', 'x',
       true, true, ARRAY['user'], 0, false
FROM generate_series(1, :users) AS n;

INSERT INTO auth_events (occurred_at, type, outcome, user_id, actor_id, request_id, client_ip)
SELECT now() - (n % 2592000) * interval '1 second',
       (ARRAY['login_succeeded','token_refreshed','login_failed','logout'])[1 + n % 4],
       CASE WHEN n % 4 = 2 THEN 'failure' ELSE 'success' END,
       md5('user' || (1 + n % :users))::uuid, NULL, 'req-' || n, '127.0.0.1'
FROM generate_series(1, :audit) AS n;
ANALYZE;
