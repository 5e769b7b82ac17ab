-- Statements (joint statements, position papers, open letters, consultation responses) and their
-- immutable numbered versions. A core statement may have regional and national variants: a variant is
-- a statement row pointing at its core, with its own region or country, language, text and versions.

create table statement (
    id                  bigint generated always as identity primary key,
    campaign_id         bigint      not null references campaign (id),
    kind                text        not null check (kind in ('joint_statement', 'position_paper', 'open_letter', 'consultation_response')),
    scope               text        not null check (scope in ('national', 'regional', 'international')),
    title               text        not null check (length(btrim(title)) > 0),
    -- Null for a core statement; the core for a variant.
    core_id             bigint      references statement (id),
    region_id           bigint      references region (id),
    country_code        char(2)     references country (code),
    language            text        not null default 'en' check (language ~ '^[a-z]{2}$'),
    status              text        not null default 'draft'
                                    check (status in ('draft', 'in_signoff', 'final', 'published', 'withdrawn')),
    planned_release_on  date,
    published_at        timestamptz,
    withdrawn_at        timestamptz,
    withdrawn_reason    text,
    lead_id             bigint      references staff_user (id),
    created_by          bigint      references staff_user (id),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    -- A variant is for a region or a country; a core statement is for neither.
    check (core_id is null or region_id is not null or country_code is not null),
    check (core_id is null or core_id <> id)
);
create index statement_campaign_idx on statement (campaign_id);
create index statement_core_idx on statement (core_id) where core_id is not null;
create unique index statement_variant_uq on statement (core_id, coalesce(country_code, '--'), coalesce(region_id, 0), language)
    where core_id is not null;

-- Versions never change once written: number, text, change note and the SHA-256 of the text.
create table statement_version (
    id                    bigint generated always as identity primary key,
    statement_id          bigint      not null references statement (id),
    number                integer     not null check (number > 0),
    title                 text        not null check (length(btrim(title)) > 0),
    body                  text        not null,
    change_note           text,
    -- SHA-256 of the version's title and body (see StatementVersions.ContentHash).
    content_hash          bytea       not null,
    -- For a variant: the core version it was adapted from, if any.
    core_version_id       bigint      references statement_version (id),
    created_by            bigint      references staff_user (id),
    created_at            timestamptz not null default now(),
    unique (statement_id, number)
);

create function statement_version_immutable() returns trigger language plpgsql as $$
begin
    raise exception 'statement versions are immutable: write a new version instead';
end;
$$;
create trigger statement_version_no_update before update or delete on statement_version
    for each row execute function statement_version_immutable();

alter table consultation
    add constraint consultation_submitted_version_fk foreign key (submitted_version_id) references statement_version (id);
