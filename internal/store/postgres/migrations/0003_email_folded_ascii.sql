-- Emails compare with their ASCII letters folded, and nothing else, as in
-- the SQLite store: 0002's lower(email) folded by the database's locale, so
-- two stores (or one database under two locales) could disagree on which
-- emails clash, and a change of the locale's case rules would leave the
-- index out of date. Folding less than before, this index accepts every
-- table the old one did.

DROP INDEX users_email_folded;
CREATE UNIQUE INDEX users_email_folded ON users (site, lower(email COLLATE "C"));
