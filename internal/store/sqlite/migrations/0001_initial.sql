-- The portal's first schema. Times are RFC 3339 text in UTC with fixed-width
-- nanoseconds, so they sort and compare as strings.

CREATE TABLE sites (
	id                 TEXT PRIMARY KEY,
	name               TEXT NOT NULL,
	stations_purchased INTEGER NOT NULL CHECK (stations_purchased >= 0),
	version            INTEGER NOT NULL,
	created_at         TEXT NOT NULL
) STRICT;

-- A number is available (no holder) or assigned to exactly one holder.
CREATE TABLE numbers (
	site          TEXT NOT NULL REFERENCES sites (id),
	number        TEXT NOT NULL,
	status        TEXT NOT NULL CHECK (status IN ('available', 'assigned')),
	assigned_type TEXT NOT NULL DEFAULT '' CHECK (assigned_type IN ('', 'user', 'phone', 'service')),
	assigned_id   TEXT NOT NULL DEFAULT '',
	version       INTEGER NOT NULL,
	updated_at    TEXT NOT NULL,
	PRIMARY KEY (site, number),
	CHECK ((status = 'available') = (assigned_type = '' AND assigned_id = ''))
) STRICT;

CREATE INDEX numbers_holder ON numbers (site, assigned_type, assigned_id);
CREATE INDEX numbers_status ON numbers (site, status);

-- A user's number is a number of its site's pool.
CREATE TABLE users (
	id                 TEXT PRIMARY KEY,
	site               TEXT NOT NULL REFERENCES sites (id),
	email              TEXT NOT NULL,
	first_name         TEXT NOT NULL,
	last_name          TEXT NOT NULL,
	extension          TEXT NOT NULL DEFAULT '',
	phone_number       TEXT NOT NULL,
	voicemail_pin_hash TEXT NOT NULL DEFAULT '',
	version            INTEGER NOT NULL,
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL,
	UNIQUE (site, email),
	UNIQUE (site, phone_number),
	FOREIGN KEY (site, phone_number) REFERENCES numbers (site, number)
) STRICT;

-- An empty extension means none, so only set ones must be unique.
CREATE UNIQUE INDEX users_extension ON users (site, extension) WHERE extension <> '';

CREATE TABLE phones (
	id         TEXT PRIMARY KEY,
	site       TEXT NOT NULL REFERENCES sites (id),
	name       TEXT NOT NULL,
	model      TEXT NOT NULL DEFAULT '',
	version    INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (site, name)
) STRICT;

CREATE TABLE services (
	id         TEXT PRIMARY KEY,
	site       TEXT NOT NULL REFERENCES sites (id),
	name       TEXT NOT NULL,
	type       TEXT NOT NULL,
	version    INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	UNIQUE (site, name)
) STRICT;

-- site is NULL for admin tokens, which act on every site.
CREATE TABLE tokens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	site       TEXT REFERENCES sites (id),
	admin      INTEGER NOT NULL CHECK (admin IN (0, 1)),
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE idempotency (
	scope        TEXT NOT NULL,
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status       INTEGER NOT NULL,
	body         BLOB,
	location     TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	PRIMARY KEY (scope, key)
) STRICT;

CREATE INDEX idempotency_created_at ON idempotency (created_at);
