// A ledger at the scale an AR team lives with (issue 19): 100k customers, 1M invoices and a
// contact log of millions of rows with everything around it — status events, payments and their
// allocations, promises, disputes, holds, payment plans, call tasks, alerts and a few collectors.
// Customers, contact points, invoices and cases go in by COPY (`generateLedger`); the rest is
// derived from them in SQL (`generate_series`, `random()` seeded by `setseed`), which is faster
// than streaming it from Node and keeps the proportions in one readable place.
//
// Proportions (per customer unless said otherwise): invoices as `generateLedger`'s background
// (half paid, the rest current / 1–30 / 31–60 / 61–90 / 90+); one payment and allocation per paid
// invoice, a part payment on 10% of open invoices, unapplied credit on 1% of customers; 0.5% of
// 90+ invoices written off; contacts 0–2 × `contactsPerCustomer` over the past year (email 60%,
// SMS 15%, calls 15%, notes 8%, letters 2%) with 1–3 status events each; promises on 8% of
// customers (1–3, the older ones kept / broken / cancelled); disputes on 1.5% of open invoices;
// legal holds 1%, credit holds 3%, bankruptcy filings 0.2%, payment plans 0.5%; call tasks on 25%;
// alerts on 3% (60% acknowledged). Five currencies (RON, TRY, GBP, CNY, USD).
import { DateTime } from 'luxon';
import type pg from 'pg';
import { generateLedger } from './ledger.js';

export interface ScaleLedgerSpec {
  customers: number;
  invoicesPerCustomer?: number;
  /** Average contacts per customer (each customer gets 0 to twice this many). */
  contactsPerCustomer?: number;
  collectors?: number;
  /** "Today" of the ledger: due dates, contact times and promises are placed around it. */
  asOf?: DateTime;
  /** External-id prefix (several ledgers can share a database). */
  prefix?: string;
  /** Seed of the SQL side's `random()` (the COPY side is seeded by serial). */
  seed?: number;
  progress?: (line: string) => void;
}

export interface ScaleLedger {
  prefix: string;
  asOf: string;
  seconds: number;
  collectorIds: string[];
  counts: Record<string, number>;
}

const COLLECTORS = ['Ana Popescu', 'Mehmet Yılmaz', 'Olivia Smith', 'Li Wei', 'James Carter', 'Sofia Rossi', 'Ioana Dumitru', 'Chen Jing'];

/** Loads one scale ledger; returns what it wrote. Run `ANALYZE` is done at the end. */
export async function loadScaleLedger(pool: pg.Pool, spec: ScaleLedgerSpec): Promise<ScaleLedger> {
  const started = performance.now();
  const prefix = spec.prefix ?? 'LG';
  const asOf = (spec.asOf ?? DateTime.utc()).toUTC();
  const perCustomer = spec.invoicesPerCustomer ?? 10;
  const contacts = spec.contactsPerCustomer ?? 30;
  const say = spec.progress ?? (() => undefined);
  const step = async (label: string, work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    say(`  ${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  const clash = await pool.query('select 1 from customers where external_id like $1 limit 1', [`${prefix}-%`]);
  if (clash.rowCount) throw new Error(`customers with the prefix ${prefix} already exist; use another --prefix or a fresh database`);

  const collectorIds: string[] = [];
  for (const [i, name] of COLLECTORS.slice(0, spec.collectors ?? 6).entries()) {
    const { rows } = await pool.query<{ id: string }>(
      `insert into users (email, name, role, updated_at) values ($1, $2, 'collector', now())
       on conflict (email) do update set name = excluded.name returning id`,
      [`collector${i + 1}@bench.example`, name],
    );
    collectorIds.push(rows[0]!.id);
  }

  await step(`customers, contact points, invoices, cases (COPY, ${spec.customers.toLocaleString('en-US')} customers)`, async () => {
    for (let done = 0, chunk = 0; done < spec.customers; chunk += 1) {
      const n = Math.min(10_000, spec.customers - done);
      await generateLedger(pool, {
        prefix,
        customers: n,
        invoicesPerCustomer: perCustomer,
        asOf,
        kind: 'background',
        serialStart: done,
        collectorIds,
        names: 'varied',
      });
      done += n;
    }
  });

  const client = await pool.connect();
  try {
    await client.query(`set synchronous_commit = off`);
    await client.query(`select setseed($1)`, [((spec.seed ?? 19) % 1000) / 1000]);
    await client.query(`create temp table scale_customers as
      select c.id, cs.id as case_id, c.external_id, c.currency, c.locale, c.assigned_collector_id, random() as activity
        from customers c join collection_cases cs on cs.customer_id = c.id
       where c.external_id like '${prefix}-%'`);
    await client.query(
      `create temp table scale_users as select array_agg(id::text order by email) as ids from users where email like 'collector%@bench.example'`,
    );
    const at = asOf.toISO()!;
    const today = asOf.toISODate()!;
    const run = (sql: string) => client.query(sql.replaceAll(':asOf', `'${at}'::timestamptz`).replaceAll(':today', `'${today}'::date`));

    await step('payments and allocations', async () => {
      await run(`insert into payments (external_id, customer_id, amount_minor, currency, received_on, reference, unapplied_minor)
        select 'PAY-' || i.external_id, i.customer_id, i.amount_minor, i.currency, i.paid_at::date, i.number, 0
          from invoices i join scale_customers c on c.id = i.customer_id where i.status = 'paid'`);
      await run(`insert into payment_allocations (payment_id, invoice_id, amount_minor, allocated_at)
        select p.id, i.id, i.amount_minor, i.paid_at
          from invoices i join scale_customers c on c.id = i.customer_id
          join payments p on p.external_id = 'PAY-' || i.external_id
         where i.status = 'paid'`);
      // A part payment on one open invoice in ten.
      await run(`create temp table scale_part as
        select i.id, i.external_id, i.customer_id, i.currency, i.number, (i.amount_minor * (0.2 + random() * 0.5))::bigint as paid,
               least(:today - 1, i.due_date + (random() * 20)::int) as received_on
          from invoices i join scale_customers c on c.id = i.customer_id
         where i.status = 'open' and random() < 0.1`);
      await run(`insert into payments (external_id, customer_id, amount_minor, currency, received_on, reference, unapplied_minor)
        select 'PART-' || external_id, customer_id, paid, currency, received_on, number, 0 from scale_part`);
      await run(`insert into payment_allocations (payment_id, invoice_id, amount_minor, allocated_at)
        select p.id, s.id, s.paid, s.received_on::timestamptz + interval '10 hours'
          from scale_part s join payments p on p.external_id = 'PART-' || s.external_id`);
      await run(`update invoices i set open_balance_minor = i.amount_minor - s.paid from scale_part s where s.id = i.id`);
      // Unapplied credit on one customer in a hundred.
      await run(`insert into payments (external_id, customer_id, amount_minor, currency, received_on, reference, unapplied_minor)
        select 'CREDIT-' || external_id, id, x.amount, currency, :today - (random() * 60)::int, null, x.amount
          from scale_customers cross join lateral (select (5000 + random() * 200000)::bigint as amount) x
         where random() < 0.01`);
      // Half a percent of the 90+ invoices written off.
      await run(`update invoices i set status = 'written_off', written_off_at = :asOf - interval '3 days' * (1 + random() * 30),
               written_off_by = 'system', written_off_minor = i.open_balance_minor, write_off_reason = 'uncollectable',
               open_balance_minor = 0
          from scale_customers c
         where c.id = i.customer_id and i.status = 'open' and i.due_date < :today - 90 and random() < 0.005`);
    });

    await step('contacts', async () => {
      await withoutIndexes(client, 'contacts', () =>
        run(`insert into contacts (customer_id, case_id, channel, direction, status, policy_id, step_id, template_id,
                     template_locale, recipient, subject, body_text, provider_name, provider_message_id, attempts, actor,
                     outcome, notes, idempotency_key, created_at, sent_at, updated_at)
        with base as (
          select c.*, g.n, random() as r_channel, random() as r_status, random() as r_time, random() as r_misc
            from scale_customers c
            cross join lateral generate_series(1, floor(c.activity * ${2 * contacts + 1})::int) g(n)
        ), shaped as (
          select b.*,
                 case when r_channel < 0.60 then 'email' when r_channel < 0.75 then 'sms' when r_channel < 0.90 then 'call'
                      when r_channel < 0.98 then 'note' else 'letter' end::contact_channel as ch,
                 :asOf - interval '1 day' * (r_time * r_time * 365) as at
            from base b
        ), statused as (
          select s.*,
                 case when ch in ('call', 'note') then 'logged'
                      when at > :asOf - interval '10 minutes' then 'queued'
                      when ch = 'letter' then 'sent'
                      when ch = 'email' then case when r_status < 0.78 then 'delivered' when r_status < 0.91 then 'sent'
                                                 when r_status < 0.95 then 'bounced' when r_status < 0.98 then 'failed' else 'cancelled' end
                      else case when r_status < 0.80 then 'delivered' when r_status < 0.88 then 'sent'
                                when r_status < 0.95 then 'undelivered' else 'failed' end
                 end::contact_status as st,
                 (select ids from scale_users) as collectors
            from shaped s
        )
        select id, case_id, ch,
               case when ch = 'call' and r_misc < 0.2 then 'inbound' else 'outbound' end::contact_direction,
               st,
               case when ch in ('email', 'sms') then 'default' end,
               case when ch in ('email', 'sms') then (array['courtesy', 'overdue-1', 'overdue-7', 'overdue-14', 'firm-30', 'final-notice-60'])[1 + (r_misc * 6)::int % 6] end,
               case when ch in ('email', 'sms') then 'default/' || (array['courtesy', 'overdue-1', 'overdue-7', 'overdue-14', 'firm-30', 'final-notice-60'])[1 + (r_misc * 6)::int % 6] end,
               case when ch in ('email', 'sms') then locale end,
               case ch when 'email' then lower(external_id) || '@example.com' when 'sms' then '+4477' || lpad(n::text, 8, '0')
                       when 'call' then 'Accounts payable' else null end,
               case when ch = 'email' then 'Invoice reminder for ' || external_id || ' (' || n || ')' end,
               case ch when 'email' then 'Dear customer, our records show invoices on account ' || external_id ||
                            ' that are past due. Please arrange payment or reply if you believe this is wrong. Reference ' || n || '.'
                       when 'sms' then 'Reminder: account ' || external_id || ' has overdue invoices. Pay online or call us. Ref ' || n
                       when 'letter' then 'Formal notice, account ' || external_id
                       else null end,
               case when ch in ('email', 'sms') and st not in ('queued', 'cancelled') then (case ch when 'email' then 'smtp' else 'twilio' end) end,
               case when ch in ('email', 'sms') and st not in ('queued', 'cancelled') then 'bench-' || md5(id::text || n) end,
               case when st in ('queued', 'logged', 'cancelled') then 0 else 1 end,
               case when ch in ('call', 'note') then coalesce(assigned_collector_id::text, collectors[1 + (r_misc * 100)::int % array_length(collectors, 1)]) else 'system' end,
               case when ch = 'call' then (case when r_status < 0.35 then 'no_answer' when r_status < 0.55 then 'voicemail'
                    when r_status < 0.70 then 'promised' when r_status < 0.75 then 'disputed' when r_status < 0.80 then 'paid'
                    when r_status < 0.85 then 'wrong_number' else 'other' end)::call_outcome end,
               case ch when 'call' then 'Spoke about the overdue balance (' || n || ')' when 'note' then 'Customer asked for copies of invoices (' || n || ')' end,
               '${prefix}:contact:' || external_id || ':' || n,
               at,
               case when st in ('sent', 'delivered', 'bounced', 'undelivered') then at + interval '20 seconds' end,
               at + interval '5 minutes'
          from statused`),
      );
    });

    await step('contact status events', async () => {
      // queued (messages), sent, and where it went further the provider's report; one `logged` for calls and notes.
      await withoutIndexes(client, 'contact_status_events', () =>
        run(`insert into contact_status_events (contact_id, status, at, actor)
        select t.id, e.status, e.at, e.actor
          from contacts t join scale_customers c on c.id = t.customer_id
          cross join lateral (values
            (case when t.status = 'logged' then 'logged' else 'queued' end::contact_status, t.created_at, t.actor),
            (case when t.status in ('sent', 'delivered', 'bounced', 'undelivered', 'failed') then 'sent' end::contact_status, t.created_at + interval '20 seconds', 'system'),
            (case when t.status in ('delivered', 'bounced', 'undelivered', 'failed', 'cancelled') then t.status end, t.created_at + interval '4 minutes',
             case t.channel when 'sms' then 'webhook:twilio' else 'system' end)
          ) e(status, at, actor)
         where e.status is not null`),
      );
    });

    await step('promises, disputes, holds, plans, call tasks, alerts', async () => {
      await run(`create temp table scale_flags as
        select id, case_id, random() as promise, random() as legal, random() as credit, random() as bankrupt, random() as plan,
               random() as task, random() as alert
          from scale_customers`);
      await run(`insert into promises_to_pay (customer_id, case_id, amount_minor, currency, promised_date, channel, status, evaluated_at, created_by, created_at, updated_at)
        select c.id, c.case_id, (10000 + random() * 1500000)::bigint, c.currency, d.promised, 'call',
               case when d.promised >= :today then 'open'
                    when r < 0.55 then 'kept' when r < 0.9 then 'broken' else 'cancelled' end::promise_status,
               case when d.promised < :today then d.promised + 1 end,
               coalesce(c.assigned_collector_id::text, 'system'), d.promised - 10, d.promised - 10
          from scale_flags f join scale_customers c on c.id = f.id
          cross join lateral generate_series(1, 1 + floor(f.promise * 1000)::int % 3) g(n)
          cross join lateral (select case when g.n = 1 then :today + (random() * 24 - 6)::int else :today - (g.n * 40 + random() * 60)::int end as promised,
                                     random() as r) d
         where f.promise < 0.08`);
      await run(`insert into disputes (invoice_id, customer_id, reason_code, notes, opened_at, opened_by, resolved_at, resolution, resolved_by)
        select i.id, i.customer_id, (array['pricing', 'not_received', 'quality', 'duplicate'])[1 + floor(random() * 4)::int],
               'Customer disputes invoice ' || i.number, :asOf - interval '1 day' * (5 + random() * 60), 'system',
               case when random() < 0.5 then :asOf - interval '1 day' * random() * 4 end,
               null, null
          from invoices i join scale_customers c on c.id = i.customer_id
         where i.status = 'open' and random() < 0.015`);
      await run(`update disputes d set resolution = 'credit note issued', resolved_by = 'system'
          from scale_customers c where c.id = d.customer_id and d.resolved_at is not null`);
      await run(`insert into legal_holds (customer_id, placed_at, reason, placed_by, agency)
        select id, :asOf - interval '1 day' * (10 + legal * 3000), 'handed to agency', 'system', 'Bench Recoveries Ltd'
          from scale_flags where legal < 0.01`);
      await run(`update collection_cases cs set state = 'legal_hold' from scale_flags f where f.case_id = cs.id and f.legal < 0.01`);
      await run(`insert into credit_holds (customer_id, placed_at, reason, placed_by, released_at, released_by, release_reason)
        select id, :asOf - interval '1 day' * (5 + credit * 2000), 'overdue 45 days', 'system',
               case when credit < 0.01 then :asOf - interval '1 day' * credit * 100 end,
               case when credit < 0.01 then 'system' end, case when credit < 0.01 then 'paid' end
          from scale_flags where credit < 0.03`);
      await run(`insert into bankruptcy_filings (customer_id, filed_on, chapter, recorded_by)
        select id, :today - (bankrupt * 10000)::int, '11', 'system' from scale_flags where bankrupt < 0.002`);
      await run(`with plans as (
          insert into payment_plans (customer_id, currency, total_minor, status, created_by, created_at, updated_at)
          select c.id, c.currency, 600000, 'active', 'system', :asOf - interval '30 days', :asOf - interval '30 days'
            from scale_flags f join scale_customers c on c.id = f.id where f.plan < 0.005
          returning id)
        insert into payment_plan_instalments (plan_id, sequence, due_date, amount_minor, paid_minor, status)
        select p.id, g.n, :today + (g.n - 2) * 30, 100000, case when g.n = 1 then 100000 else 0 end,
               case when g.n = 1 then 'paid' else 'pending' end::instalment_status
          from plans p cross join generate_series(1, 6) g(n)`);
      await run(`insert into call_tasks (customer_id, case_id, assigned_to_id, due_at, status, step_id, idempotency_key, completed_at, created_at, updated_at)
        select c.id, c.case_id, c.assigned_collector_id, :asOf + interval '1 day' * (f.task * 40 - 6),
               case when f.task < 0.10 then 'open' when f.task < 0.22 then 'done' else 'cancelled' end::call_task_status,
               'overdue-14', '${prefix}:task:' || c.external_id,
               case when f.task >= 0.10 and f.task < 0.22 then :asOf - interval '1 day' * f.task * 10 end,
               :asOf - interval '14 days', :asOf - interval '1 day'
          from scale_flags f join scale_customers c on c.id = f.id where f.task < 0.25`);
      await run(`insert into manager_alerts (kind, customer_id, message, raised_at, last_raised_at, acknowledged_at, acknowledged_by)
        select (array['legal_hold', 'broken_promise', 'credit_limit_crossed', 'balance_threshold', 'channels_failing', 'dispute_opened'])[1 + floor(f.alert * 200)::int]::alert_kind,
               f.id, 'Needs a manager''s look', :asOf - interval '1 day' * f.alert * 300, :asOf - interval '1 day' * f.alert * 100,
               case when f.alert < 0.018 then :asOf - interval '1 day' * f.alert * 50 end,
               case when f.alert < 0.018 then 'system' end
          from scale_flags f where f.alert < 0.03`);
      // Customers with an open promise are paused on it, as the promise service leaves them.
      await run(`update collection_cases cs set state = 'paused', pause_reason = 'promise_to_pay', paused_until = p.promised_date + 1
          from promises_to_pay p join scale_customers c on c.id = p.customer_id
         where p.status = 'open' and cs.id = c.case_id and cs.state = 'active'`);
    });

    await step('analyze', () => client.query('analyze'));
    await client.query('drop table scale_customers, scale_users, scale_part, scale_flags');
  } finally {
    client.release();
  }

  const counts: Record<string, number> = {};
  for (const table of [
    'customers',
    'invoices',
    'payments',
    'payment_allocations',
    'contacts',
    'contact_status_events',
    'promises_to_pay',
    'disputes',
    'legal_holds',
    'credit_holds',
    'call_tasks',
    'manager_alerts',
  ]) {
    const { rows } = await pool.query<{ n: string }>(`select count(*)::text as n from ${table}`);
    counts[table] = Number(rows[0]!.n);
  }
  return { prefix, asOf: asOf.toISO()!, seconds: (performance.now() - started) / 1000, collectorIds, counts };
}

/**
 * Runs a bulk insert with the table's secondary indexes dropped, then builds them again: one
 * sort per index instead of millions of random B-tree inserts (several times faster here).
 */
async function withoutIndexes(client: pg.PoolClient, table: string, work: () => Promise<unknown>): Promise<void> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(x.indexrelid) as definition
       from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = $1::regclass and not x.indisprimary
        and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)`,
    [table],
  );
  for (const index of rows) await client.query(`drop index "${index.name}"`);
  try {
    await work();
  } finally {
    for (const index of rows) await client.query(index.definition);
  }
}
