-- Timelines read a person's or an organisation's latest interactions straight from the link
-- tables, newest first, without touching the rest of a million interactions: each link
-- carries its interaction's date. Triggers keep the copy in step, whoever writes the rows.

alter table interaction_person add column occurred_on date;
alter table interaction_organisation add column occurred_on date;

update interaction_person ip set occurred_on = i.occurred_on from interaction i where i.id = ip.interaction_id;
update interaction_organisation io set occurred_on = i.occurred_on from interaction i where i.id = io.interaction_id;

alter table interaction_person alter column occurred_on set not null;
alter table interaction_organisation alter column occurred_on set not null;

create index interaction_person_timeline_idx on interaction_person (person_id, occurred_on desc, interaction_id desc);
create index interaction_organisation_timeline_idx on interaction_organisation (organisation_id, occurred_on desc, interaction_id desc);

-- The new indexes answer every lookup by person or organisation the old ones did.
drop index interaction_person_person_idx;
drop index interaction_organisation_organisation_idx;

create function interaction_link_occurred_on() returns trigger
language plpgsql as $$
begin
    new.occurred_on := (select i.occurred_on from interaction i where i.id = new.interaction_id);
    return new;
end;
$$;

create trigger interaction_person_occurred_on
    before insert or update of interaction_id on interaction_person
    for each row execute function interaction_link_occurred_on();

create trigger interaction_organisation_occurred_on
    before insert or update of interaction_id on interaction_organisation
    for each row execute function interaction_link_occurred_on();

create function interaction_occurred_on_changed() returns trigger
language plpgsql as $$
begin
    update interaction_person set occurred_on = new.occurred_on where interaction_id = new.id;
    update interaction_organisation set occurred_on = new.occurred_on where interaction_id = new.id;
    return null;
end;
$$;

create trigger interaction_occurred_on_changed
    after update of occurred_on on interaction
    for each row when (old.occurred_on is distinct from new.occurred_on)
    execute function interaction_occurred_on_changed();

-- "Everyone's follow-ups" lists open follow-ups by due date across all owners.
create index interaction_follow_up_due_idx on interaction (follow_up_on, id)
    where follow_up_on is not null and follow_up_done_at is null;
