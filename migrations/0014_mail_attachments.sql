-- Files attached to outgoing mail (e.g. a final statement's PDF on a briefing). A file is stored once
-- and referenced by every message that carries it.

create table mail_attachment (
    id           bigint generated always as identity primary key,
    file_name    text        not null check (length(btrim(file_name)) > 0),
    content_type text        not null,
    content      bytea       not null,
    sha256       bytea       not null unique,
    created_at   timestamptz not null default now()
);

alter table outbox_message add column attachment_ids bigint[] not null default '{}';
