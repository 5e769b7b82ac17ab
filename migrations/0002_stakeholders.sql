-- The stakeholder records every campaign, statement and briefing uses: regions, countries,
-- themes, organisations and people.

create extension if not exists unaccent;
create extension if not exists pg_trgm;

create table region (
    id   bigint generated always as identity primary key,
    name text not null unique
);

-- ISO 3166-1 alpha-2. International bodies have no country.
create table country (
    code      char(2) primary key check (code ~ '^[A-Z]{2}$'),
    name      text    not null,
    region_id bigint  references region (id)
);

-- The managed list of themes (policy areas) organisations work on and people follow.
create table theme (
    id          bigint generated always as identity primary key,
    name        text not null unique,
    description text
);

create table organisation (
    id           bigint generated always as identity primary key,
    name         text        not null,
    kind         text        not null check (kind in ('member', 'government', 'parliament',
                                                      'intergovernmental', 'ngo', 'private_sector',
                                                      'media', 'other')),
    award_year   integer     check (award_year between 2000 and 2100),
    country_code char(2)     references country (code),
    region_id    bigint      references region (id),
    website      text,
    notes        text,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    check (award_year is null or kind = 'member')
);

create unique index organisation_name_country_uq on organisation (lower(name), coalesce(country_code, '--'));
create index organisation_country_idx on organisation (country_code);
create index organisation_kind_idx on organisation (kind);

create table organisation_theme (
    organisation_id bigint not null references organisation (id) on delete cascade,
    theme_id        bigint not null references theme (id) on delete cascade,
    primary key (organisation_id, theme_id)
);
create index organisation_theme_theme_idx on organisation_theme (theme_id);

create table person (
    id                       bigint generated always as identity primary key,
    full_name                text        not null,
    position                 text,
    category                 text        not null default 'other'
                                         check (category in ('decision_maker', 'member_contact', 'signatory', 'other')),
    organisation_id          bigint      references organisation (id),
    email                    text,
    email_normalised         text generated always as (nullif(lower(btrim(email)), '')) stored,
    phone                    text,
    country_code             char(2)     references country (code),
    preferred_language       text        not null default 'en' check (preferred_language ~ '^[a-z]{2}$'),
    jurisdiction             text        check (jurisdiction in ('national', 'regional', 'international')),
    owner_staff_id           bigint      references staff_user (id),
    owner_organisation_id    bigint      references organisation (id),
    data_source              text,
    lawful_basis             text        check (lawful_basis in ('consent', 'legitimate_interest', 'public_task',
                                                                 'contract', 'legal_obligation', 'vital_interest')),
    privacy_notice_sent_on   date,
    do_not_contact           boolean     not null default false,
    erased_at                timestamptz,
    created_at               timestamptz not null default now(),
    updated_at               timestamptz not null default now()
);

create unique index person_email_uq on person (email_normalised) where email_normalised is not null;
create index person_organisation_idx on person (organisation_id);
create index person_country_idx on person (country_code);

create table person_theme (
    person_id bigint not null references person (id) on delete cascade,
    theme_id  bigint not null references theme (id) on delete cascade,
    primary key (person_id, theme_id)
);
create index person_theme_theme_idx on person_theme (theme_id);
