import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `payment_plans` and their `payment_plan_instalments`. */

const isoDate = (date: Date): string => date.toISOString().slice(0, 10);

export function findActivePlan(db: Db, customerId: string) {
  return db.paymentPlan.findFirst({ where: { customerId, status: 'active' }, include: { instalments: true } });
}

export function findPlan(db: Db, id: string) {
  return db.paymentPlan.findUnique({ where: { id }, include: { instalments: { orderBy: { sequence: 'asc' } } } });
}

/** Agrees a plan with its instalments (numbered from 1, in the order given); returns its id. */
export async function insertPlan(
  sql: Sql,
  plan: {
    customerId: string;
    currency: string;
    totalMinor: bigint;
    notes: string | null;
    by: string;
    at: Date;
    instalments: Array<{ dueOn: string; amountMinor: bigint }>;
  },
): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `with plan as (
       insert into payment_plans (customer_id, currency, total_minor, notes, created_by, created_at, updated_at)
       values ($1::uuid, $2, $3::bigint, $4, $5, $6::timestamptz, now())
       returning id
     ), instalments as (
       insert into payment_plan_instalments (plan_id, sequence, due_date, amount_minor)
       select plan.id, v.sequence, v.due_date, v.amount_minor
         from plan, unnest($7::date[], $8::bigint[]) with ordinality as v(due_date, amount_minor, sequence)
     )
     select id::text from plan`,
    [
      plan.customerId,
      plan.currency,
      plan.totalMinor.toString(),
      plan.notes,
      plan.by,
      plan.at.toISOString(),
      plan.instalments.map((i) => i.dueOn),
      plan.instalments.map((i) => i.amountMinor.toString()),
    ],
  );
  return row!.id;
}

/** Cancels a plan and its pending instalments. */
export async function cancelPlan(sql: Sql, id: string, at: Date): Promise<void> {
  await sql.query(`update payment_plan_instalments set status = 'cancelled' where plan_id = $1::uuid and status = 'pending'`, [id]);
  await sql.query(`update payment_plans set status = 'cancelled', cancelled_at = $2::timestamptz, updated_at = now() where id = $1::uuid`, [
    id,
    at.toISOString(),
  ]);
}

export async function setPlanStatus(sql: Sql, id: string, status: 'completed' | 'broken'): Promise<void> {
  await sql.query(`update payment_plans set status = $2::payment_plan_status, updated_at = now() where id = $1::uuid`, [id, status]);
}

export async function updateInstalment(
  sql: Sql,
  id: string,
  data: { paidMinor: bigint; status: 'pending' | 'paid' | 'missed' },
): Promise<void> {
  await sql.query(`update payment_plan_instalments set paid_minor = $2::bigint, status = $3::instalment_status where id = $1::uuid`, [
    id,
    data.paidMinor.toString(),
    data.status,
  ]);
}

export interface PlanProgress {
  planId: string;
  customerId: string;
  /** Allocations (not reversed) in the plan's currency made since the plan was created. */
  paidMinor: bigint;
  /** The customer's local today. */
  today: string;
  instalments: Array<{ id: string; sequence: number; dueOn: string; amountMinor: bigint; paidMinor: bigint; status: string }>;
}

/** Every active plan with what has been paid towards it. */
export async function loadActivePlanProgress(db: Db, now: Date): Promise<PlanProgress[]> {
  const plans = await db.$queryRaw<Array<{ planId: string; customerId: string; paidMinor: string; today: string }>>`
    select p.id::text as "planId", p.customer_id::text as "customerId",
           coalesce((select sum(a.amount_minor) from payment_allocations a join payments pay on pay.id = a.payment_id
                      where pay.customer_id = p.customer_id and pay.currency = p.currency
                        and a.reversed_at is null and a.allocated_at >= p.created_at), 0)::text as "paidMinor",
           ((${now}::timestamptz at time zone cu.time_zone)::date)::text as today
      from payment_plans p join customers cu on cu.id = p.customer_id
     where p.status = 'active'`;
  if (plans.length === 0) return [];
  const instalments = await db.paymentPlanInstalment.findMany({
    where: { planId: { in: plans.map((p) => p.planId) } },
    orderBy: { sequence: 'asc' },
  });
  return plans.map((plan) => ({
    planId: plan.planId,
    customerId: plan.customerId,
    paidMinor: BigInt(plan.paidMinor),
    today: plan.today,
    instalments: instalments
      .filter((i) => i.planId === plan.planId)
      .map((i) => ({
        id: i.id,
        sequence: i.sequence,
        dueOn: isoDate(i.dueOn),
        amountMinor: i.amountMinor,
        paidMinor: i.paidMinor,
        status: i.status,
      })),
  }));
}
