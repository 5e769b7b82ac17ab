-- Staff who sign in, the append-only audit trail, and the keys that protect cookies.

create table staff_user (
    id              bigint generated always as identity primary key,
    issuer          text        not null,
    subject         text        not null,
    email           text,
    display_name    text        not null,
    role            text        not null default 'viewer' check (role in ('admin', 'lead', 'viewer')),
    time_zone       text        not null default 'Europe/Brussels',
    is_active       boolean     not null default true,
    created_at      timestamptz not null default now(),
    last_sign_in_at timestamptz,
    unique (issuer, subject)
);

create table audit_event (
    id          bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    actor_id    bigint      references staff_user (id),
    actor_label text        not null,
    action      text        not null,
    entity      text        not null,
    entity_id   text,
    data        jsonb       not null default '{}'::jsonb
);

create index audit_event_entity_idx on audit_event (entity, entity_id, occurred_at desc);
create index audit_event_actor_idx on audit_event (actor_id, occurred_at desc);

-- Append-only: rows are never changed or removed, except by a GDPR erasure, which must say so
-- explicitly for its own transaction (set local child10.audit_redaction = 'on').
create function audit_event_append_only() returns trigger
language plpgsql as $$
begin
    if coalesce(current_setting('child10.audit_redaction', true), '') = 'on' then
        return case when tg_op = 'DELETE' then old else new end;
    end if;
    raise exception 'audit_event is append-only (% refused)', tg_op;
end;
$$;

create trigger audit_event_append_only
    before update or delete on audit_event
    for each row execute function audit_event_append_only();

create table data_protection_key (
    id            bigint generated always as identity primary key,
    friendly_name text        not null unique,
    xml           text        not null,
    created_at    timestamptz not null default now()
);
