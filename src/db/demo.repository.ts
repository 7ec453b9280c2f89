import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** What only the demo reads (src/demo): its own database, from start to closing figures. */

/**
 * Empties every table but the migrations' own and the reference rates a migration ships (the
 * published history late-payment interest is counted with, not the business's data). The demo owns
 * its database: callers only run it against the embedded Postgres (or with an explicit `--reset`
 * on a database of their own).
 */
export async function emptyDatabase(sql: Sql): Promise<void> {
  const rows = await sql.query<{ tablename: string }>(
    `select tablename from pg_tables
      where schemaname = current_schema() and tablename not in ('_prisma_migrations', 'reference_rates')`,
  );
  await sql.query(`truncate ${rows.map((r) => `"${r.tablename}"`).join(', ')} cascade`);
}

/** A customer's open invoices with a balance, oldest due first, and whether each has an open dispute. */
export async function findOpenInvoicesWithDisputes(
  sql: Sql,
  customerId: string,
): Promise<Array<{ externalId: string; number: string; balanceMinor: bigint; dueOn: string; disputed: boolean }>> {
  const rows = await sql.query<{ externalId: string; number: string; balance: string; dueOn: string; disputed: boolean }>(
    `select i.external_id as "externalId", i.number, i.open_balance_minor::text as balance, i.due_date::text as "dueOn",
            exists (select 1 from disputes d where d.invoice_id = i.id and d.resolved_at is null) as disputed
       from invoices i where i.customer_id = $1 and i.status = 'open' and i.open_balance_minor > 0
      order by i.due_date, i.number`,
    [customerId],
  );
  return rows.map(({ balance, ...row }) => ({ ...row, balanceMinor: BigInt(balance) }));
}

/** Every customer, by external id. */
export function listCustomers(sql: Sql): Promise<Array<{ id: string; externalId: string; name: string; timeZone: string }>> {
  return sql.query<{ id: string; externalId: string; name: string; timeZone: string }>(
    `select id, external_id as "externalId", name, time_zone as "timeZone" from customers order by external_id`,
  );
}

/** How many customers have a legal hold, and a credit hold, not released. */
export async function countCustomersOnHold(sql: Sql): Promise<{ legal: number; credit: number }> {
  const [legal] = await sql.query<{ n: number }>(`select count(distinct customer_id)::int as n from legal_holds where released_at is null`);
  const [credit] = await sql.query<{ n: number }>(
    `select count(distinct customer_id)::int as n from credit_holds where released_at is null`,
  );
  return { legal: legal?.n ?? 0, credit: credit?.n ?? 0 };
}

/** The customers that ever promised to pay, and those that ever disputed an invoice. */
export async function findCustomersWithPromisesAndDisputes(sql: Sql): Promise<{ promised: Set<string>; disputed: Set<string> }> {
  const promised = await sql.query<{ customer_id: string }>(`select distinct customer_id from promises_to_pay`);
  const disputed = await sql.query<{ customer_id: string }>(`select distinct customer_id from disputes`);
  return { promised: new Set(promised.map((r) => r.customer_id)), disputed: new Set(disputed.map((r) => r.customer_id)) };
}

/** Outbound contacts by step, channel and status, and how many holds, alerts and call tasks there are. */
/** Each customer's last reminder by email that went out (Message-ID and all), newest first: what a customer may answer. */
export function findLastEmailReminders(
  sql: Sql,
  limit: number,
): Promise<
  Array<{ customerId: string; externalId: string; locale: string; recipient: string; subject: string | null; messageId: string; at: Date }>
> {
  return sql.query(
    `select * from (
       select distinct on (c.customer_id) c.customer_id::text as "customerId", cu.external_id as "externalId", cu.locale,
              c.recipient, c.subject, c.provider_message_id as "messageId", c.created_at as at
         from contacts c join customers cu on cu.id = c.customer_id
        where c.direction = 'outbound' and c.channel = 'email' and c.step_id is not null
          and c.status in ('sent', 'delivered') and c.provider_message_id is not null and c.recipient is not null
          and cu.email_opted_out_at is null
        order by c.customer_id, c.created_at desc) last
      order by at desc, "externalId" limit $1`,
    [limit],
  );
}

export async function countDemoOutcomes(db: Db) {
  const grouped = await db.contact.groupBy({
    by: ['stepId', 'channel', 'status'],
    where: { direction: 'outbound' },
    _count: { _all: true },
    orderBy: [{ stepId: 'asc' }, { channel: 'asc' }, { status: 'asc' }],
  });
  return {
    contacts: grouped.map((g) => ({ step: g.stepId ?? '-', channel: g.channel, status: g.status, count: g._count._all })),
    creditHolds: await db.creditHold.count(),
    legalHolds: await db.legalHold.count(),
    alerts: await db.managerAlert.count(),
    callTasks: await db.callTask.count(),
  };
}
