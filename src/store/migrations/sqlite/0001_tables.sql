-- subscriptions, rotations, slots.
CREATE TABLE subscriptions (
   id INTEGER PRIMARY KEY,
   guild_id INTEGER NOT NULL,
   channel_id INTEGER NOT NULL UNIQUE,
   time TEXT NOT NULL,
   timezone TEXT NOT NULL,
   paused TEXT,
   created_at INTEGER NOT NULL
);
CREATE INDEX subscriptions_guild ON subscriptions (guild_id);
CREATE TABLE rotations (
   guild_id INTEGER PRIMARY KEY,
   seed INTEGER NOT NULL,
   epoch TEXT NOT NULL
);
CREATE TABLE slots (
   subscription_id INTEGER NOT NULL,
   local_date TEXT NOT NULL,
   state TEXT NOT NULL CHECK (state IN ('claimed', 'posted', 'skipped')),
   owner TEXT,
   claimed_at INTEGER,
   retry_at INTEGER,
   attempts INTEGER NOT NULL DEFAULT 0,
   message_id INTEGER,
   reason TEXT,
   PRIMARY KEY (subscription_id, local_date)
);
