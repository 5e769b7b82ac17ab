-- Campaigns (objective, key asks, scope, members, milestones), their target decision-makers with
-- stance history, policy consultations, and personal calendar-feed tokens.

create table campaign (
    id          bigint generated always as identity primary key,
    title       text        not null check (length(btrim(title)) > 0),
    objective   text,
    key_asks    text,
    scope       text        not null check (scope in ('national', 'regional', 'international')),
    region_id   bigint      references region (id),
    status      text        not null default 'planning' check (status in ('planning', 'active', 'concluded', 'archived')),
    lead_id     bigint      references staff_user (id),
    starts_on   date,
    ends_on     date,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    check (starts_on is null or ends_on is null or ends_on >= starts_on)
);
create index campaign_status_idx on campaign (status);

create table campaign_country (
    campaign_id  bigint  not null references campaign (id) on delete cascade,
    country_code char(2) not null references country (code),
    primary key (campaign_id, country_code)
);

-- Participating member organisations.
create table campaign_member (
    campaign_id     bigint not null references campaign (id) on delete cascade,
    organisation_id bigint not null references organisation (id),
    primary key (campaign_id, organisation_id)
);
create index campaign_member_organisation_idx on campaign_member (organisation_id);

create table milestone (
    id          bigint generated always as identity primary key,
    campaign_id bigint      not null references campaign (id) on delete cascade,
    title       text        not null check (length(btrim(title)) > 0),
    due_on      date        not null,
    done_at     timestamptz,
    created_at  timestamptz not null default now()
);
create index milestone_campaign_idx on milestone (campaign_id, due_on);
create index milestone_open_due_idx on milestone (due_on) where done_at is null;

create table campaign_target (
    id          bigint generated always as identity primary key,
    campaign_id bigint      not null references campaign (id) on delete cascade,
    person_id   bigint      not null references person (id),
    stance      text        not null default 'unknown' check (stance in ('supportive', 'neutral', 'opposed', 'unknown')),
    influence   smallint    not null default 3 check (influence between 1 and 5),
    progress    text        not null default 'not_contacted' check (progress in ('not_contacted', 'contacted', 'met', 'committed')),
    notes       text,
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now(),
    unique (campaign_id, person_id)
);
create index campaign_target_person_idx on campaign_target (person_id);

-- Every stance a target has held, newest last.
create table campaign_target_stance (
    id         bigint generated always as identity primary key,
    target_id  bigint      not null references campaign_target (id) on delete cascade,
    stance     text        not null check (stance in ('supportive', 'neutral', 'opposed', 'unknown')),
    changed_at timestamptz not null default now(),
    changed_by bigint      references staff_user (id)
);
create index campaign_target_stance_target_idx on campaign_target_stance (target_id, changed_at);

alter table interaction
    add constraint interaction_campaign_fk foreign key (campaign_id) references campaign (id);

create table consultation (
    id                    bigint generated always as identity primary key,
    institution_id        bigint      not null references organisation (id),
    title                 text        not null check (length(btrim(title)) > 0),
    url                   text,
    scope                 text        not null check (scope in ('national', 'regional', 'international')),
    opens_at              timestamptz,
    closes_at             timestamptz not null,
    institution_time_zone text        not null default 'Europe/Brussels',
    status                text        not null default 'upcoming'
                                      check (status in ('upcoming', 'open', 'in_preparation', 'submitted', 'closed')),
    responsible_id        bigint      references staff_user (id),
    campaign_id           bigint      references campaign (id),
    -- Statements arrive with their own migration, which adds the foreign key.
    submitted_version_id  bigint,
    submitted_on          date,
    submission_reference  text,
    outcome_notes         text,
    created_at            timestamptz not null default now(),
    updated_at            timestamptz not null default now(),
    check (opens_at is null or closes_at > opens_at)
);
create index consultation_closes_idx on consultation (closes_at);
create index consultation_campaign_idx on consultation (campaign_id);

create table consultation_member (
    consultation_id bigint not null references consultation (id) on delete cascade,
    organisation_id bigint not null references organisation (id),
    primary key (consultation_id, organisation_id)
);

-- A staff member's secret iCalendar URL; only the SHA-256 of the token is kept.
create table calendar_feed_token (
    id         bigint generated always as identity primary key,
    staff_id   bigint      not null references staff_user (id),
    token_hash bytea       not null unique,
    created_at timestamptz not null default now(),
    revoked_at timestamptz
);
create index calendar_feed_token_staff_idx on calendar_feed_token (staff_id) where revoked_at is null;
