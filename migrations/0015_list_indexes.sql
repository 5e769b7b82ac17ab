-- Indexes the benchmark asked for (100,000 people): the people list filtered by country walks one
-- index in name order instead of filtering the whole name index, and the home dashboard's counts
-- read small partial indexes instead of scanning every person twice.

create index person_country_name_idx on person (country_code, lower(full_name), id) where erased_at is null;
create index person_decision_maker_idx on person (id) where category = 'decision_maker' and erased_at is null;
create index person_privacy_pending_idx on person (id) where privacy_notice_sent_on is null and erased_at is null;
