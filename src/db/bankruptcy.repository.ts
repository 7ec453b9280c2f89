import type { Sql } from './sql.js';
import type { Db } from './transaction.js';

/** `bankruptcy_filings`: an open filing (neither discharged nor dismissed) stops all contact, like a legal hold. */

export function findOpenBankruptcy(db: Db, customerId: string) {
  return db.bankruptcyFiling.findFirst({ where: { customerId, dischargedAt: null, dismissedAt: null } });
}

/** Records a filing; returns its id. */
export async function insertBankruptcy(
  sql: Sql,
  filing: { customerId: string; filedOn: string; chapter: string; caseNumber: string | null; by: string; at: Date },
): Promise<string> {
  const [row] = await sql.query<{ id: string }>(
    `insert into bankruptcy_filings (customer_id, filed_on, chapter, case_number, recorded_by, recorded_at)
     values ($1::uuid, $2::date, $3, $4, $5, $6::timestamptz)
     returning id::text`,
    [filing.customerId, filing.filedOn, filing.chapter, filing.caseNumber, filing.by, filing.at.toISOString()],
  );
  return row!.id;
}

export async function closeBankruptcy(sql: Sql, id: string, outcome: 'discharged' | 'dismissed', by: string, at: Date): Promise<void> {
  const set =
    outcome === 'discharged' ? 'discharged_at = $2::timestamptz, discharged_by = $3' : 'dismissed_at = $2::timestamptz, dismissed_by = $3';
  await sql.query(`update bankruptcy_filings set ${set} where id = $1::uuid`, [id, at.toISOString(), by]);
}
