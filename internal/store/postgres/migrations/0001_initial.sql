-- The portal's first schema, the same tables as the SQLite store's.
--
-- Times are text in the SQLite store's layout (RFC 3339 in UTC, fixed-width
-- nanoseconds): timestamptz keeps only microseconds, and a stored time must
-- read back exactly. They sort and compare as text, and cast to timestamptz
-- for people. Keys and times use the "C" collation, so that ordering and
-- paging are byte order whatever the database's locale, and LIKE 'prefix%'
-- can use the primary key's index.

CREATE DOMAIN utc_time AS text COLLATE "C"
	CHECK (VALUE ~ '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$');

CREATE TABLE sites (
	id                 text COLLATE "C" PRIMARY KEY,
	name               text NOT NULL,
	stations_purchased integer NOT NULL CHECK (stations_purchased >= 0),
	version            bigint NOT NULL,
	created_at         utc_time NOT NULL
);

-- A number is available (no holder) or assigned to exactly one holder.
CREATE TABLE numbers (
	site          text COLLATE "C" NOT NULL REFERENCES sites (id),
	number        text COLLATE "C" NOT NULL,
	status        text NOT NULL CHECK (status IN ('available', 'assigned')),
	assigned_type text NOT NULL DEFAULT '' CHECK (assigned_type IN ('', 'user', 'phone', 'service')),
	assigned_id   text COLLATE "C" NOT NULL DEFAULT '',
	version       bigint NOT NULL,
	updated_at    utc_time NOT NULL,
	PRIMARY KEY (site, number),
	CHECK ((status = 'available') = (assigned_type = '' AND assigned_id = ''))
);

CREATE INDEX numbers_holder ON numbers (site, assigned_type, assigned_id);
CREATE INDEX numbers_status ON numbers (site, status);

-- A user's number is a number of its site's pool.
CREATE TABLE users (
	id                 text COLLATE "C" PRIMARY KEY,
	site               text COLLATE "C" NOT NULL REFERENCES sites (id),
	email              text NOT NULL,
	first_name         text NOT NULL,
	last_name          text NOT NULL,
	extension          text NOT NULL DEFAULT '',
	phone_number       text COLLATE "C" NOT NULL,
	voicemail_pin_hash text NOT NULL DEFAULT '',
	version            bigint NOT NULL,
	created_at         utc_time NOT NULL,
	updated_at         utc_time NOT NULL,
	UNIQUE (site, email),
	UNIQUE (site, phone_number),
	FOREIGN KEY (site, phone_number) REFERENCES numbers (site, number)
);

-- An empty extension means none, so only set ones must be unique.
CREATE UNIQUE INDEX users_extension ON users (site, extension) WHERE extension <> '';

CREATE TABLE phones (
	id         text COLLATE "C" PRIMARY KEY,
	site       text COLLATE "C" NOT NULL REFERENCES sites (id),
	name       text NOT NULL,
	model      text NOT NULL DEFAULT '',
	version    bigint NOT NULL,
	created_at utc_time NOT NULL,
	UNIQUE (site, name)
);

CREATE TABLE services (
	id         text COLLATE "C" PRIMARY KEY,
	site       text COLLATE "C" NOT NULL REFERENCES sites (id),
	name       text NOT NULL,
	type       text NOT NULL,
	version    bigint NOT NULL,
	created_at utc_time NOT NULL,
	UNIQUE (site, name)
);

-- site is NULL for admin tokens, which act on every site.
CREATE TABLE tokens (
	id         text COLLATE "C" PRIMARY KEY,
	name       text NOT NULL,
	site       text COLLATE "C" REFERENCES sites (id),
	admin      boolean NOT NULL,
	hash       text NOT NULL UNIQUE,
	created_at utc_time NOT NULL
);

CREATE TABLE idempotency (
	scope        text NOT NULL,
	key          text NOT NULL,
	request_hash text NOT NULL,
	status       integer NOT NULL,
	body         bytea,
	location     text NOT NULL DEFAULT '',
	created_at   utc_time NOT NULL,
	PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_created_at ON idempotency (created_at);
