-- The planner's default cost of a random page read (4, against 1 for a page read in sequence) models spinning
-- disks. This database is small enough to live in memory and is kept on solid-state storage, where PostgreSQL's
-- documentation suggests about 1.1. With 4 the planner chose, at 100,000 people:
--   * a scan of all 249 countries for every foreign-key check of a person's country, instead of one look-up in
--     the primary key: 100,000 checks (a people import) took 1.7-2.0 s against 0.6-0.9 s;
--   * a hash of every country for each person page, instead of a look-up of the person's own;
--   * a scan of every person to count the decision makers on the home page, where person_decision_maker_idx
--     (migration 0015) answers from the index alone.
-- No other statement of the list, search, person and home pages changes its plan.
--
-- The setting belongs to the database, so it holds for every session that connects after this migration, whoever
-- runs the app. Only the database's owner may change it: an app that connects as another role logs a warning
-- here and runs with the server's setting, which its administrator can set instead.
do $$
begin
    execute format('alter database %I set random_page_cost = 1.1', current_database());
exception
    when insufficient_privilege then
        raise warning 'random_page_cost was not set for database %: only its owner may (see migrations/0023_planner_random_page_cost.sql)',
            current_database();
end
$$;
