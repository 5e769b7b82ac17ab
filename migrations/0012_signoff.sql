-- Sign-off rounds: one version of a statement put to invited member organisations, each answering
-- through a personal link. Links carry 128-bit random tokens stored only as SHA-256 hashes.

create table signoff_round (
    id                   bigint generated always as identity primary key,
    statement_id         bigint      not null references statement (id),
    version_id           bigint      not null references statement_version (id),
    rule                 text        not null check (rule in ('all_must_approve', 'silence_is_consent')),
    opens_at             timestamptz not null default now(),
    deadline             timestamptz not null,
    -- The time zone the lead chose the deadline in; mail shows the deadline in it.
    time_zone            text        not null default 'Europe/Brussels',
    first_reminder_days  integer     check (first_reminder_days > 0),
    repeat_every_days    integer     check (repeat_every_days > 0),
    final_reminder_hours integer     check (final_reminder_hours > 0),
    escalation_hours     integer     check (escalation_hours > 0),
    message              text,
    status               text        not null default 'open' check (status in ('open', 'superseded', 'closed', 'cancelled')),
    superseded_by        bigint      references signoff_round (id),
    outcome              text        check (outcome in ('approved', 'not_approved')),
    closed_at            timestamptz,
    lead_id              bigint      not null references staff_user (id),
    opened_by            bigint      references staff_user (id),
    created_at           timestamptz not null default now(),
    check (deadline > opens_at),
    check ((status = 'closed') = (closed_at is not null and outcome is not null))
);
create index signoff_round_statement_idx on signoff_round (statement_id, id desc);
create index signoff_round_open_deadline_idx on signoff_round (deadline) where status = 'open';
create unique index signoff_round_one_open_uq on signoff_round (statement_id) where status = 'open';

-- One member organisation invited to a round, with its designated signatory and an alternate.
create table signoff_request (
    id                   bigint generated always as identity primary key,
    round_id             bigint      not null references signoff_round (id),
    organisation_id      bigint      not null references organisation (id),
    signatory_id         bigint      not null references person (id),
    alternate_id         bigint      references person (id),
    -- The latest answer (denormalised from signoff_answer so chasing and boards need no aggregate).
    decision             text        check (decision in ('approve', 'request_changes', 'decline')),
    answered_at          timestamptz,
    -- Set when the round closes: whether this organisation is listed as a signatory of the statement.
    signed               boolean,
    -- When the chase sweep should next look at this request; null once answered or the round ended.
    next_chase_at        timestamptz,
    created_at           timestamptz not null default now(),
    unique (round_id, organisation_id),
    check (alternate_id is null or alternate_id <> signatory_id)
);
create index signoff_request_chase_idx on signoff_request (next_chase_at) where next_chase_at is not null;
create index signoff_request_organisation_idx on signoff_request (organisation_id);

-- A personal link: bound to the request (round, organisation) and the person it was sent to.
create table signoff_token (
    token_hash   bytea       primary key,
    request_id   bigint      not null references signoff_request (id),
    person_id    bigint      not null references person (id),
    version_id   bigint      not null references statement_version (id),
    expires_at   timestamptz not null,
    -- The mail that carried the link (null while it is being queued).
    outbox_message_id bigint  references outbox_message (id) on delete set null,
    created_at   timestamptz not null default now()
);
create index signoff_token_request_idx on signoff_token (request_id);

-- Every answer given, newest last; the latest counts until the deadline.
create table signoff_answer (
    id              bigint generated always as identity primary key,
    request_id      bigint      not null references signoff_request (id),
    decision        text        not null check (decision in ('approve', 'request_changes', 'decline')),
    comment         text,
    person_id       bigint      references person (id),
    version_id      bigint      not null references statement_version (id),
    content_hash    bytea       not null,
    token_hash      bytea       not null references signoff_token (token_hash),
    answered_at     timestamptz not null default now(),
    ip              inet,
    user_agent      text,
    check (decision <> 'request_changes' or length(btrim(coalesce(comment, ''))) > 0)
);
create index signoff_answer_request_idx on signoff_answer (request_id, id);

-- Each chase step sent for a request, at most once (request, signoff, reminder-1, reminder-2, ..., final, escalation).
create table signoff_chase (
    request_id        bigint      not null references signoff_request (id),
    step              text        not null,
    outbox_message_id bigint      references outbox_message (id) on delete set null,
    sent_at           timestamptz not null default now(),
    primary key (request_id, step)
);
