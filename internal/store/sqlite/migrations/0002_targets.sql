-- Phones and services as a team declares them: an extension each, a phone's
-- MAC address, a service's description. Names of phones and services, and
-- users' emails, are unique per site regardless of case (SQLite's lower()
-- folds ASCII letters); extensions are unique among users, phones and
-- services, which the rules check under the site's lock.

ALTER TABLE phones ADD COLUMN extension TEXT NOT NULL DEFAULT '';
ALTER TABLE phones ADD COLUMN mac_address TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN extension TEXT NOT NULL DEFAULT '';
ALTER TABLE services ADD COLUMN description TEXT NOT NULL DEFAULT '';

CREATE UNIQUE INDEX users_email_folded ON users (site, lower(email));
CREATE UNIQUE INDEX phones_name_folded ON phones (site, lower(name));
CREATE UNIQUE INDEX services_name_folded ON services (site, lower(name));
CREATE UNIQUE INDEX phones_extension ON phones (site, extension) WHERE extension <> '';
CREATE UNIQUE INDEX services_extension ON services (site, extension) WHERE extension <> '';
CREATE UNIQUE INDEX phones_mac_address ON phones (site, mac_address) WHERE mac_address <> '';
