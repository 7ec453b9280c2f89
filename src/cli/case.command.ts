import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { openRuntime } from '../app/runtime.js';
import { openCaseServices } from '../app/services.js';
import type { CaseDependencies } from '../cases/case-action.js';
import type { CaseServices } from '../cases/case-services.js';
import { addNote, logCall } from '../cases/call-log.service.js';
import { exportCaseFile, type CaseFile } from '../cases/case-file.js';
import { placeCreditHold, releaseCreditHold } from '../cases/credit-hold.service.js';
import { openDispute, resolveDispute } from '../cases/dispute.service.js';
import { InvalidInput, InvalidTransition, NotFound, PermissionDenied } from '../cases/errors.js';
import { placeLegalHold, releaseLegalHold } from '../cases/legal-hold.service.js';
import { cancelPaymentPlan, createPaymentPlan } from '../cases/payment-plan.service.js';
import { pauseCase, resumeCase } from '../cases/pause.service.js';
import { recordBankruptcy, recordBankruptcyDischarge, recordBankruptcyDismissal } from '../cases/bankruptcy.service.js';
import { cancelPromise, recordPromise } from '../cases/promise.service.js';
import { writeOff } from '../cases/write-off.service.js';
import type { CommandContext } from './main.js';

type Options = Record<string, string | undefined>;

interface CaseCliAction {
  name: string;
  description: string;
  options: Array<[flags: string, description: string]>;
  run(deps: CaseDependencies, actor: string, customer: string, o: Options): Promise<unknown>;
}

const int = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));

/** `2026-04-01=30000,2026-05-01=30000` → instalments. */
function instalments(value: string | undefined): Array<{ dueOn: string; amountMinor: number }> {
  return (value ?? '')
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const [dueOn, amount] = part.split('=');
      return { dueOn: (dueOn ?? '').trim(), amountMinor: Number(amount) };
    });
}

const REASON: [string, string] = ['--reason <text>', 'why (kept in the audit trail)'];

export const CASE_CLI_ACTIONS: CaseCliAction[] = [
  {
    name: 'legal-hold',
    description: 'place a legal hold (manager)',
    options: [REASON, ['--agency <name>', 'agency or law firm'], ['--notes <text>', 'notes']],
    run: (d, a, customer, o) =>
      placeLegalHold(d, a, { customer, reason: o.reason ?? '', ...(o.agency && { agency: o.agency }), ...(o.notes && { notes: o.notes }) }),
  },
  {
    name: 'release-legal-hold',
    description: 'release the legal hold; dunning resumes at the current stage (manager)',
    options: [REASON],
    run: (d, a, customer, o) => releaseLegalHold(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'bankruptcy',
    description: 'record a bankruptcy filing (manager)',
    options: [
      ['--filed-on <date>', 'YYYY-MM-DD'],
      ['--chapter <chapter>', 'e.g. 7, 11, insolvency'],
      ['--case-number <number>', 'court case number'],
    ],
    run: (d, a, customer, o) =>
      recordBankruptcy(d, a, {
        customer,
        filedOn: o.filedOn ?? '',
        chapter: o.chapter ?? '',
        ...(o.caseNumber && { caseNumber: o.caseNumber }),
      }),
  },
  {
    name: 'discharge-bankruptcy',
    description: 'record the discharge of the open filing (manager)',
    options: [REASON],
    run: (d, a, customer, o) => recordBankruptcyDischarge(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'dismiss-bankruptcy',
    description: 'record the dismissal of the open filing (manager)',
    options: [REASON],
    run: (d, a, customer, o) => recordBankruptcyDismissal(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'write-off',
    description: 'write off an invoice, or the whole open balance with --all (manager)',
    options: [['--invoice <number>', 'invoice number'], ['--all', 'every open invoice of the customer'], REASON],
    run: (d, a, customer, o) =>
      writeOff(d, a, {
        customer,
        reason: o.reason ?? '',
        ...(o.invoice !== undefined && { invoice: o.invoice }),
        ...((o.all as unknown) === true && { all: true as const }),
      }),
  },
  {
    name: 'credit-hold',
    description: 'place a credit hold (manager)',
    options: [REASON],
    run: (d, a, customer, o) => placeCreditHold(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'release-credit-hold',
    description: 'release the credit hold (manager)',
    options: [REASON],
    run: (d, a, customer, o) => releaseCreditHold(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'dispute',
    description: 'open a dispute on an invoice (collector)',
    options: [
      ['--invoice <number>', 'invoice number'],
      ['--reason-code <code>', 'e.g. not_received'],
      ['--notes <text>', 'notes'],
    ],
    run: (d, a, customer, o) =>
      openDispute(d, a, { customer, invoice: o.invoice ?? '', reasonCode: o.reasonCode ?? '', ...(o.notes && { notes: o.notes }) }),
  },
  {
    name: 'resolve-dispute',
    description: 'resolve the open dispute of an invoice (collector)',
    options: [
      ['--invoice <number>', 'invoice number'],
      ['--resolution <text>', 'how it was resolved'],
    ],
    run: (d, a, customer, o) => resolveDispute(d, a, { customer, invoice: o.invoice ?? '', resolution: o.resolution ?? '' }),
  },
  {
    name: 'promise',
    description: 'record a promise to pay and email the confirmation (collector)',
    options: [
      ['--amount <minor>', 'integer minor units'],
      ['--on <date>', 'promised date YYYY-MM-DD'],
      ['--currency <code>', "default: the customer's"],
      ['--channel <channel>', 'call (default), email, sms, letter, note'],
      ['--no-confirm', 'do not email a confirmation'],
    ],
    run: (d, a, customer, o) =>
      recordPromise(d, a, {
        customer,
        amountMinor: int(o.amount) ?? Number.NaN,
        promisedOn: o.on ?? '',
        ...(o.currency && { currency: o.currency }),
        ...(o.channel && { channel: o.channel as 'call' }),
        confirm: (o.confirm as unknown) !== false,
      }),
  },
  {
    name: 'cancel-promise',
    description: 'cancel an open promise (collector)',
    options: [['--promise <id>', 'promise id'], REASON],
    run: (d, a, customer, o) => cancelPromise(d, a, { customer, promiseId: o.promise ?? '', reason: o.reason ?? '' }),
  },
  {
    name: 'plan',
    description: 'agree a payment plan (manager)',
    options: [
      ['--total <minor>', 'plan total, integer minor units'],
      ['--instalments <list>', '2026-04-01=30000,2026-05-01=30000'],
      ['--currency <code>', "default: the customer's"],
      ['--notes <text>', 'notes'],
    ],
    run: (d, a, customer, o) =>
      createPaymentPlan(d, a, {
        customer,
        totalMinor: int(o.total) ?? Number.NaN,
        instalments: instalments(o.instalments),
        ...(o.currency && { currency: o.currency }),
        ...(o.notes && { notes: o.notes }),
      }),
  },
  {
    name: 'cancel-plan',
    description: 'cancel the active payment plan (manager)',
    options: [REASON],
    run: (d, a, customer, o) => cancelPaymentPlan(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'call',
    description: 'log a call; completes the open call task (collector)',
    options: [
      ['--outcome <code>', 'no_answer, voicemail, promised, disputed, paid, wrong_number, other'],
      ['--notes <text>', 'what was said'],
      ['--with <person>', 'who was spoken to'],
      ['--task <id>', 'the call task it completes'],
    ],
    run: (d, a, customer, o) =>
      logCall(d, a, {
        customer,
        outcome: (o.outcome ?? '') as 'other',
        notes: o.notes ?? '',
        ...(o.with && { with: o.with }),
        ...(o.task && { taskId: o.task }),
      }),
  },
  {
    name: 'note',
    description: 'add a note to the contact log (collector)',
    options: [['--text <text>', 'the note']],
    run: (d, a, customer, o) => addNote(d, a, { customer, text: o.text ?? '' }),
  },
  {
    name: 'pause',
    description: 'pause dunning by hand (collector)',
    options: [REASON, ['--until <instant>', 'ISO 8601 instant with offset']],
    run: (d, a, customer, o) => pauseCase(d, a, { customer, reason: o.reason ?? '', ...(o.until && { until: o.until }) }),
  },
  {
    name: 'resume',
    description: 'resume a paused case (collector)',
    options: [REASON],
    run: (d, a, customer, o) => resumeCase(d, a, { customer, reason: o.reason ?? '' }),
  },
  {
    name: 'file',
    description: 'write the case file (HTML + JSON) for legal or an agency (manager)',
    options: [['--out <dir>', 'directory (default: current)']],
    run: (d, a, customer) => exportCaseFile(d, a, { customer }),
  },
];

/** Opens the runtime, builds the case services with real queues, runs `work`, closes everything. */
export async function withCaseServices(context: CommandContext, work: (services: CaseServices) => Promise<void>): Promise<void> {
  const runtime = await openRuntime(context.config(), context.logger());
  try {
    await work(await openCaseServices(runtime));
  } catch (error) {
    if (!(
      error instanceof PermissionDenied ||
      error instanceof InvalidInput ||
      error instanceof NotFound ||
      error instanceof InvalidTransition
    ))
      throw error;
    process.stderr.write(`${error.name}: ${error.message}\n`);
    process.exitCode = 2;
  } finally {
    await runtime.lifecycle.close();
  }
}

async function writeCaseFile(file: CaseFile, out: string | undefined): Promise<void> {
  const dir = path.resolve(out ?? '.');
  await mkdir(dir, { recursive: true });
  const base = path.join(dir, `case-file-${file.json.customer.externalId.replace(/[^A-Za-z0-9_.-]/g, '_')}`);
  await writeFile(`${base}.html`, file.html);
  await writeFile(`${base}.json`, `${JSON.stringify(file.json, null, 2)}\n`);
  process.stdout.write(`${base}.html\n${base}.json\n`);
}

export function registerCaseCommand(program: Command, context: CommandContext): void {
  const command = program
    .command('case')
    .description('Case actions: holds, bankruptcy, write-offs, disputes, promises, plans, calls, notes, pauses, the case file.');
  for (const action of CASE_CLI_ACTIONS) {
    const sub = command
      .command(action.name)
      .description(action.description)
      .requiredOption('--customer <external id>', 'the customer (ERP external id)')
      .requiredOption('--actor <user>', 'who does it: a user email or id, or "system"');
    for (const [flags, description] of action.options) sub.option(flags, description);
    sub.action(async (options: Options) =>
      withCaseServices(context, async (services) => {
        const result = await action.run(services.cases, options.actor!, options.customer!, options);
        if (action.name === 'file') await writeCaseFile(result as CaseFile, options.out);
        else process.stdout.write(`${JSON.stringify(result)}\n`);
      }),
    );
  }
}
