-- Message bodies are stored with lz4 instead of the default pglz. Nearly every rendered HTML body is large
-- enough to be compressed, so queueing a 10,000-recipient briefing compressed about 60 MB with pglz; lz4 does
-- that in a fraction of the time, and the delivery worker reads the bodies back faster.
-- A server built without lz4 keeps the default compression.
do $$
begin
    alter table outbox_message alter column html_body set compression lz4, alter column text_body set compression lz4;
exception when others then
    raise notice 'outbox_message bodies keep the default compression: %', sqlerrm;
end
$$;
