-- immutable_unaccent (0004) calls unaccent's C function directly instead of through a SQL function.
-- PostgreSQL cannot inline the SQL wrapper (an immutable function whose body calls the stable unaccent()),
-- so every call ran a small SQL function: a person's generated search document, its trigram index entry
-- and every search paid for it. In a 100,000-row import that call was about 7 % of the commit's time.
-- With one argument, unaccent_dict uses the "unaccent" dictionary of the function's own schema, the one
-- the wrapper named; the result is the same, so the stored documents and index entries stay valid.
-- Declaring a C function needs a superuser; any other owner, or a dictionary that is not beside the function,
-- keeps the SQL wrapper (the block's change is undone).
do $$
begin
    create or replace function immutable_unaccent(value text) returns text
    language c immutable parallel safe strict
    as '$libdir/unaccent', 'unaccent_dict';
    if immutable_unaccent('Wickström Ærø') is distinct from public.unaccent('public.unaccent'::regdictionary, 'Wickström Ærø') then
        raise exception 'the direct call does not use public.unaccent';
    end if;
exception when others then
    raise notice 'immutable_unaccent stays a SQL function: %', sqlerrm;
end
$$;
