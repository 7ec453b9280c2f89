import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';

/** A fresh key: 32 random bytes as 64 hex characters (URL- and shell-safe, above every minimum). */
const freshKey = () => randomBytes(32).toString('hex');

/**
 * The `.env` that docker-compose.yml reads, with fresh random values. Needs no configuration,
 * database or Redis: it is the first thing run on a new machine.
 */
export function secretsEnvFile(key: () => string = freshKey): string {
  return [
    '# Written by `arrears secrets` — fresh random values; keep this file private (chmod 600).',
    '# docker-compose.yml refuses to start without the first three.',
    '# The Postgres password of the compose file’s database (compose only; Arrears reads DATABASE_URL).',
    `POSTGRES_PASSWORD=${key()}`,
    `UNSUBSCRIBE_SECRET=${key()}`,
    `SESSION_SECRET=${key()}`,
    '# Uncomment to turn on POST /webhooks/email/bounce, the alert webhook or the credit-hold webhook.',
    `# EMAIL_WEBHOOK_SECRET=${key()}`,
    `# ALERT_WEBHOOK_SECRET=${key()}`,
    `# CREDIT_HOLD_WEBHOOK_SECRET=${key()}`,
    '',
  ].join('\n');
}

export function registerSecretsCommand(program: Command): void {
  program
    .command('secrets')
    .description('Print a .env with fresh random secrets for docker-compose.yml (e.g. `arrears secrets > .env`).')
    .action(() => {
      // To stdout on purpose, never the log: the operator redirects it into their .env.
      process.stdout.write(secretsEnvFile());
    });
}
