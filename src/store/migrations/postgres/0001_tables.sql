-- subscriptions, rotations, slots (the same model as the SQLite store).
CREATE TABLE subscriptions (
   id BIGSERIAL PRIMARY KEY,
   guild_id BIGINT NOT NULL,
   channel_id BIGINT NOT NULL UNIQUE,
   time TIME NOT NULL,
   timezone TEXT NOT NULL,
   paused TEXT,
   created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
CREATE TABLE rotations (
   guild_id BIGINT PRIMARY KEY,
   seed BIGINT NOT NULL,
   epoch DATE NOT NULL
);
CREATE TABLE slots (
   subscription_id BIGINT NOT NULL,
   local_date DATE NOT NULL,
   state TEXT NOT NULL CHECK (state IN ('claimed', 'posted', 'skipped')),
   owner TEXT,
   claimed_at TIMESTAMPTZ,
   retry_at TIMESTAMPTZ,
   attempts INTEGER NOT NULL DEFAULT 0,
   message_id BIGINT,
   reason TEXT,
   PRIMARY KEY (subscription_id, local_date)
);
