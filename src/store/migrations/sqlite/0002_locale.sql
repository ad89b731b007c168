-- the server's language for its posts (Discord's guild_locale); NULL means English.
ALTER TABLE subscriptions ADD COLUMN locale TEXT;
