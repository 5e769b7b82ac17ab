-- CSV imports of people and organisations: the uploaded file is kept so the preview and the
-- commit read exactly the same bytes, and a batch can be committed once only.

create table import_batch (
    id           bigint generated always as identity primary key,
    kind         text        not null check (kind in ('people', 'organisations')),
    file_name    text        not null,
    content      text        not null,
    uploaded_by  bigint      references staff_user (id),
    uploaded_at  timestamptz not null default now(),
    status       text        not null default 'uploaded' check (status in ('uploaded', 'committed')),
    committed_at timestamptz,
    summary      jsonb,
    check ((status = 'committed') = (committed_at is not null))
);

create index import_batch_uploaded_idx on import_batch (uploaded_at desc);
