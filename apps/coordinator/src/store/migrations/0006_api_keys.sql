-- 0006: API keys and worker tokens (apps/coordinator/src/auth/). Runs on PostgreSQL >= 13 and PGlite.
-- Only the SHA-256 of a secret is kept: the secret itself is shown once, when the key is created.

CREATE TABLE api_keys (
  id           text        PRIMARY KEY,
  -- "api_key" (clients and operators, Authorization: Bearer) or "worker_token" (gRPC metadata).
  kind         text        NOT NULL CHECK (kind IN ('api_key', 'worker_token')),
  name         text        NOT NULL,
  -- The first characters of the secret, shown in listings so a key can be recognised.
  prefix       text        NOT NULL,
  -- Hex SHA-256 of the whole secret: the lookup key of every authenticated request.
  secret_hash  text        NOT NULL UNIQUE,
  scopes       jsonb       NOT NULL DEFAULT '[]',
  roles        jsonb       NOT NULL DEFAULT '[]',
  -- Worker tokens: the service names the token may register ("*" = any).
  services     jsonb       NOT NULL DEFAULT '[]',
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz
);

-- GET /admin/v1/keys lists newest first.
CREATE INDEX api_keys_created_idx ON api_keys (created_at DESC, id DESC);
