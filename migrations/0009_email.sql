-- The email outbox: every message is rendered and stored in the transaction of the business
-- change that causes it, then delivered by a worker that claims batches with SKIP LOCKED.
-- Unsubscribe links carry random tokens stored only as hashes.

create table outbox_message (
    id                bigint generated always as identity primary key,
    idempotency_key   text        not null unique,
    category          text        not null check (category in ('transactional', 'bulk')),
    purpose           text        not null,
    recipient_address text        not null,
    recipient_name    text,
    -- SHA-256 of the normalised address, the key of the suppression table.
    recipient_hash    bytea       not null,
    person_id         bigint      references person (id) on delete set null,
    subject           text        not null,
    html_body         text        not null,
    text_body         text        not null,
    headers           jsonb       not null default '{}'::jsonb,
    message_id        text        not null,
    status            text        not null default 'pending'
                      check (status in ('pending', 'sending', 'sent', 'failed', 'suppressed', 'cancelled')),
    attempts          integer     not null default 0,
    next_attempt_at   timestamptz not null default now(),
    lease_until       timestamptz,
    last_error        text,
    smtp_reply        text,
    created_at        timestamptz not null default now(),
    sent_at           timestamptz,
    check ((status = 'sending') = (lease_until is not null))
);

-- The worker's claim walks pending messages in id order; the lease sweep looks at sending ones.
create index outbox_message_pending_idx on outbox_message (id) where status = 'pending';
create index outbox_message_lease_idx on outbox_message (lease_until) where status = 'sending';
create index outbox_message_person_idx on outbox_message (person_id, id desc) where person_id is not null;
create index outbox_message_status_idx on outbox_message (status, id desc);

create table unsubscribe_token (
    token_hash        bytea       primary key,
    email_hash        bytea       not null,
    person_id         bigint      references person (id) on delete set null,
    outbox_message_id bigint      references outbox_message (id) on delete cascade,
    created_at        timestamptz not null default now(),
    used_at           timestamptz
);

create index unsubscribe_token_message_idx on unsubscribe_token (outbox_message_id);
