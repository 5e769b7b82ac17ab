-- Briefings: an email to decision-makers, written as Markdown with placeholders, approved by a second lead,
-- sent once or on a schedule. Each run queues its messages through the outbox, one per (run, person);
-- a delivered message becomes an email interaction on the recipient's timeline.

create table briefing (
    id                bigint generated always as identity primary key,
    campaign_id       bigint      not null references campaign (id),
    title             text        not null check (length(btrim(title)) > 0),
    subject           text        not null check (length(btrim(subject)) > 0),
    body              text        not null check (length(btrim(body)) > 0),
    statement_id      bigint      references statement (id),
    attach_pdf        boolean     not null default false,
    -- draft: no schedule; scheduled: goes out when due (and approved); paused; cancelled; finished (one-off done).
    state             text        not null default 'draft' check (state in ('draft', 'scheduled', 'paused', 'cancelled', 'finished')),
    schedule_kind     text        check (schedule_kind in ('now', 'at', 'cron')),
    send_at           timestamptz,
    cron              text,
    time_zone         text,
    next_run_at       timestamptz,
    author_id         bigint      not null references staff_user (id),
    -- Every edit of what recipients receive adds one; an approval holds for the version it approved.
    content_version   integer     not null default 1,
    approved_by       bigint      references staff_user (id),
    approved_at       timestamptz,
    approved_version  integer,
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    check (approved_by is null or approved_by <> author_id),
    check (schedule_kind <> 'cron' or (cron is not null and time_zone is not null))
);
create index briefing_campaign_idx on briefing (campaign_id);
create index briefing_due_idx on briefing (next_run_at) where state = 'scheduled';

create table briefing_segment (
    briefing_id bigint not null references briefing (id) on delete cascade,
    segment_id  bigint not null references segment (id),
    primary key (briefing_id, segment_id)
);

create table briefing_person (
    briefing_id bigint not null references briefing (id) on delete cascade,
    person_id   bigint not null references person (id),
    primary key (briefing_id, person_id)
);

-- One run per briefing and due time: a scheduler firing twice finds the run already there.
create table briefing_run (
    id             bigint generated always as identity primary key,
    briefing_id    bigint      not null references briefing (id),
    scheduled_for  timestamptz not null,
    content_version integer    not null,
    subject        text        not null,
    recipients     integer     not null default 0,
    -- People of the audience left out when the run was queued, by reason.
    excluded       jsonb       not null default '{}'::jsonb,
    note           text,
    created_at     timestamptz not null default now(),
    unique (briefing_id, scheduled_for)
);

create table briefing_message (
    run_id             bigint not null references briefing_run (id),
    person_id          bigint not null references person (id),
    outbox_message_id  bigint not null unique references outbox_message (id),
    interaction_id     bigint references interaction (id) on delete set null,
    primary key (run_id, person_id)
);

-- A delivered briefing becomes an email interaction on the recipient's timeline, once. The WHEN clause keeps
-- the trigger off every other outbox update.
create function briefing_message_delivered() returns trigger
language plpgsql as $$
declare
    link record;
    new_interaction bigint;
begin
    select m.run_id, m.person_id, b.campaign_id, b.title
      into link
      from briefing_message m
      join briefing_run r on r.id = m.run_id
      join briefing b on b.id = r.briefing_id
     where m.outbox_message_id = new.id and m.interaction_id is null;
    if not found then
        return null;
    end if;
    insert into interaction (kind, occurred_on, subject, notes, campaign_id)
    values ('email', (coalesce(new.sent_at, now()) at time zone 'UTC')::date, new.subject,
            'Briefing “' || link.title || '” delivered by email.', link.campaign_id)
    returning id into new_interaction;
    insert into interaction_person (interaction_id, person_id) values (new_interaction, link.person_id);
    update briefing_message set interaction_id = new_interaction where outbox_message_id = new.id;
    return null;
end;
$$;

create trigger outbox_message_briefing_delivered
    after update of status on outbox_message
    for each row
    when (new.status = 'sent' and old.status is distinct from 'sent' and new.purpose = 'briefing')
    execute function briefing_message_delivered();
