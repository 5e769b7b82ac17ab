-- Two places drew identities with nextval(pg_get_serial_sequence(...)) for each row, so each id also paid for
-- a catalog search: about 60 ms of database time for 10,000 ids against 6 ms with the sequence looked up once.
-- One is the trigger that records each delivered briefing as an email interaction (here); the other is the
-- organisation import's temporary table (in the app).

create or replace function briefing_messages_delivered() returns trigger
language plpgsql as $$
declare
    message_ids  bigint[];
    person_ids   bigint[];
    campaign_ids bigint[];
    occurred     date[];
    subjects     text[];
    notes        text[];
    interaction_ids bigint[];
    interaction_seq regclass;
begin
    -- Messages of this statement that became 'sent' and whose briefing link has no interaction yet.
    select array_agg(d.id), array_agg(d.person_id), array_agg(d.campaign_id), array_agg(d.occurred_on),
           array_agg(d.subject), array_agg(d.notes)
      into message_ids, person_ids, campaign_ids, occurred, subjects, notes
      from (
        select n.id, m.person_id, b.campaign_id, (coalesce(n.sent_at, now()) at time zone 'UTC')::date as occurred_on,
               n.subject, 'Briefing “' || b.title || '” delivered by email.' as notes
          from new_rows n
          join old_rows o on o.id = n.id
          join briefing_message m on m.outbox_message_id = n.id and m.interaction_id is null
          join briefing_run r on r.id = m.run_id
          join briefing b on b.id = r.briefing_id
         where n.status = 'sent' and o.status is distinct from 'sent' and n.purpose = 'briefing'
         order by n.id
      ) d;
    if message_ids is null then
        return null;
    end if;

    -- The interactions' ids are taken first, so that each one can be linked to its message and person. The
    -- identity's sequence is looked up once, not for each id.
    interaction_seq := pg_get_serial_sequence('interaction', 'id')::regclass;
    select array_agg(nextval(interaction_seq))
      into interaction_ids
      from generate_series(1, cardinality(message_ids));

    insert into interaction (id, kind, occurred_on, subject, notes, campaign_id) overriding system value
    select u.id, 'email', u.occurred_on, u.subject, u.notes, u.campaign_id
      from unnest(interaction_ids, occurred, subjects, notes, campaign_ids) as u(id, occurred_on, subject, notes, campaign_id);
    insert into interaction_person (interaction_id, person_id)
    select u.interaction_id, u.person_id from unnest(interaction_ids, person_ids) as u(interaction_id, person_id);
    update briefing_message m set interaction_id = u.interaction_id
      from unnest(interaction_ids, message_ids) as u(interaction_id, message_id)
     where m.outbox_message_id = u.message_id;
    return null;
end;
$$;
