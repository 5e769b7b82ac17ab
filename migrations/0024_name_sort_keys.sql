-- Names sort as people read them: "Élodie Roux" among the E's and "Österreichische Kinderfreunde" among the
-- O's. Lists ordered by lower(name) compared code points, which put every name that starts with an accented
-- letter after "Z". The sort key folds case and accents the way search already does (immutable_unaccent of
-- lower), so the order agrees with what a search for the unaccented name finds.
--
-- The key is stored, and computed once per write:
-- * a search that matches 2,027 of 100,000 people ordered them by computing lower() for every match, about
--   1 ms of the statement's 7; the people list by country now reads its page from the index alone;
-- * the trigram indexes (similar spellings, and the pickers of the interaction form) indexed the same folded
--   name as an expression, which every insert computed once more. They move to the column.
alter table person add column name_sort_key text generated always as (immutable_unaccent(lower(full_name))) stored;

drop index person_full_name_idx;
create index person_name_sort_idx on person (name_sort_key, id);

drop index person_country_name_idx;
create index person_country_name_idx on person (country_code, name_sort_key, id) where erased_at is null;

drop index person_name_trgm_idx;
create index person_name_trgm_idx on person using gin (name_sort_key gin_trgm_ops);

alter table organisation add column name_sort_key text generated always as (immutable_unaccent(lower(name))) stored;

create index organisation_name_sort_idx on organisation (name_sort_key, id);

drop index organisation_name_trgm_idx;
create index organisation_name_trgm_idx on organisation using gin (name_sort_key gin_trgm_ops);
