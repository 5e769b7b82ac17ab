-- Accent-insensitive full-text and trigram search over people and organisations, the
-- interactions that make up their timelines, saved segments, and the suppression list.

-- unaccent() is only STABLE (its dictionary could change); pinning the dictionary makes it
-- safe to use in generated columns and indexes.
create function immutable_unaccent(value text) returns text
language sql immutable parallel safe strict
as $$ select public.unaccent('public.unaccent'::regdictionary, value) $$;

alter table organisation
    add column search_document tsvector generated always as (
        to_tsvector('simple', immutable_unaccent(coalesce(name, '') || ' ' || coalesce(notes, '')))
    ) stored;
create index organisation_search_idx on organisation using gin (search_document);
create index organisation_name_trgm_idx on organisation using gin (immutable_unaccent(lower(name)) gin_trgm_ops);

alter table person
    add column search_document tsvector generated always as (
        to_tsvector('simple', immutable_unaccent(coalesce(full_name, '') || ' ' || coalesce(position, '') || ' ' || coalesce(email, '')))
    ) stored;
create index person_search_idx on person using gin (search_document);
create index person_name_trgm_idx on person using gin (immutable_unaccent(lower(full_name)) gin_trgm_ops);
create index person_full_name_idx on person (lower(full_name), id);
create index person_category_idx on person (category);

create table interaction (
    id                  bigint generated always as identity primary key,
    kind                text        not null check (kind in ('meeting', 'call', 'email', 'letter', 'event', 'submission')),
    occurred_on         date        not null,
    subject             text        not null check (length(btrim(subject)) > 0),
    notes               text,
    outcome             text,
    -- Campaigns arrive with their own migration, which adds the foreign key.
    campaign_id         bigint,
    follow_up_on        date,
    follow_up_owner_id  bigint      references staff_user (id),
    follow_up_done_at   timestamptz,
    created_by          bigint      references staff_user (id),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    check (follow_up_on is null or follow_up_owner_id is not null)
);
create index interaction_follow_up_idx on interaction (follow_up_owner_id, follow_up_on)
    where follow_up_on is not null and follow_up_done_at is null;
create index interaction_campaign_idx on interaction (campaign_id, occurred_on desc) where campaign_id is not null;
create index interaction_occurred_idx on interaction (occurred_on desc, id desc);

create table interaction_person (
    interaction_id bigint not null references interaction (id) on delete cascade,
    person_id      bigint not null references person (id),
    primary key (interaction_id, person_id)
);
create index interaction_person_person_idx on interaction_person (person_id, interaction_id);

create table interaction_organisation (
    interaction_id  bigint not null references interaction (id) on delete cascade,
    organisation_id bigint not null references organisation (id),
    primary key (interaction_id, organisation_id)
);
create index interaction_organisation_organisation_idx on interaction_organisation (organisation_id, interaction_id);

-- A saved filter over people; briefings use segments as audiences.
create table segment (
    id          bigint generated always as identity primary key,
    name        text        not null unique check (length(btrim(name)) > 0),
    description text,
    filter      jsonb       not null,
    created_by  bigint      references staff_user (id),
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

-- Addresses that must never be mailed (or only transactional mail, for unsubscribes),
-- stored as SHA-256 of the normalised address so an erased person leaves no readable trace.
create table suppression (
    email_hash bytea       primary key,
    reason     text        not null check (reason in ('unsubscribed', 'hard_bounce', 'erased', 'do_not_contact')),
    created_at timestamptz not null default now()
);
