-- Names and titles sort as people read them in every list, not only the people and organisation lists (0024):
-- "Åland Islands" among the A's of the country list, "Éducation inclusive" among the E's of the themes. Ordered
-- by the raw text, the database compared code points, which put every name that starts with an accented letter
-- after "Z".
--
-- sort_key folds case and accents the way the stored keys of person and organisation do (immutable_unaccent of
-- lower), so every list agrees with the people and organisation lists. The small tables (countries, regions,
-- themes, segments, staff, the titles of campaigns, statements and briefings) compute it in their ORDER BY; at
-- their size it costs nothing, and it mixes with any other column, as a column collation would not.
create function sort_key(value text) returns text
language sql immutable parallel safe strict
return immutable_unaccent(lower(value));
