-- The console's zone per user (null means TICK_TZ)
alter table users add column time_zone text;
