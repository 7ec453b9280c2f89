import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { secretsEnvFile } from '../../../src/cli/secrets.command.js';
import { ConfigError, loadConfig } from '../../../src/config/config.js';
import { isKnownPlaceholder } from '../../../src/config/production-checks.js';

// Finding 1: the compose file's placeholder UNSUBSCRIBE_SECRET was accepted in production, so
// anyone who read it could forge an unsubscribe link for any customer id.
const FRESH = 'b3c1f0a9d2e84c7f9a6b5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a';

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadConfig({ NODE_ENV: 'production', ...env }, '/srv');
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('production refuses known or short secrets, naming the setting', () => {
  it.each([
    ['UNSUBSCRIBE_SECRET', 'change-me-to-a-long-random-string-of-32-chars-or-more'],
    ['SESSION_SECRET', 'change-me-to-a-long-random-string-of-32-chars-or-more'],
    ['SESSION_SECRET', 'x'.repeat(40)],
    ['EMAIL_WEBHOOK_SECRET', 'your-webhook-secret-here-0123456789abcdef'],
    ['ALERT_WEBHOOK_SECRET', 'replace-this-with-a-random-value-of-32-chars'],
    ['TWILIO_AUTH_TOKEN', 'changeme'],
    ['SMTP_PASSWORD', 'password'],
  ])('%s = %j', (name, value) => {
    const extra = name === 'ALERT_WEBHOOK_SECRET' ? { ALERT_WEBHOOK_URL: 'https://erp.example.com/alerts' } : {};
    const message = refusal({ [name]: value, ...extra });
    expect(message).toContain(`${name}: is a known placeholder`);
    expect(message).not.toContain(value);
  });

  it.each(['EMAIL_WEBHOOK_SECRET', 'CREDIT_HOLD_WEBHOOK_SECRET'])('%s shorter than 32 characters', (name) => {
    const extra = name === 'CREDIT_HOLD_WEBHOOK_SECRET' ? { CREDIT_HOLD_WEBHOOK_URL: 'https://erp.example.com/holds' } : {};
    expect(refusal({ [name]: 'k7Qp2Zr9vX4mB8nL1tY6', ...extra })).toContain(`${name}: must be at least 32 characters in production`);
  });

  it("refuses the compose file's old Postgres password inside DATABASE_URL", () => {
    expect(refusal({ DATABASE_URL: 'postgresql://arrears:arrears@postgres:5432/arrears' })).toContain(
      'DATABASE_URL: its password is a known placeholder',
    );
  });

  it('names every bad setting at once', () => {
    const message = refusal({
      UNSUBSCRIBE_SECRET: 'change-me-to-a-long-random-string-of-32-chars-or-more',
      SESSION_SECRET: 'a'.repeat(64),
    });
    expect(message).toContain('UNSUBSCRIBE_SECRET');
    expect(message).toContain('SESSION_SECRET');
  });

  it('starts with fresh values, and outside production with the examples', () => {
    expect(refusal({ UNSUBSCRIBE_SECRET: FRESH, SESSION_SECRET: FRESH, DATABASE_URL: `postgresql://arrears:${FRESH}@db/arrears` })).toBe(
      '',
    );
    expect(() => loadConfig({ UNSUBSCRIBE_SECRET: 'change-me-to-a-long-random-string-of-32-chars-or-more' }, '/srv')).not.toThrow();
  });

  it('`arrears secrets` prints fresh values production accepts, different on each run', () => {
    const file = secretsEnvFile();
    const values = Object.fromEntries([...file.matchAll(/^#? ?([A-Z_]+)=(.+)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.keys(values)).toEqual([
      'POSTGRES_PASSWORD',
      'UNSUBSCRIBE_SECRET',
      'SESSION_SECRET',
      'EMAIL_WEBHOOK_SECRET',
      'ALERT_WEBHOOK_SECRET',
      'CREDIT_HOLD_WEBHOOK_SECRET',
    ]);
    for (const value of Object.values(values)) expect(value).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Object.values(values)).size).toBe(6);
    const { POSTGRES_PASSWORD, ...arrears } = values;
    expect(refusal({ ...arrears, DATABASE_URL: `postgresql://arrears:${POSTGRES_PASSWORD}@postgres/arrears` })).toBe('');
    expect(secretsEnvFile()).not.toBe(file);
  });
});

describe('every example secret in the docs is a known placeholder', () => {
  // `NAME=value` (.env, README) and `NAME: value` (compose) for names that hold secrets; compose
  // interpolations (`${…}`) and empty values are not examples.
  const SECRET_NAME = /^[ \t|`-]*([A-Z][A-Z0-9_]*(?:SECRET|PASSWORD|TOKEN))[`]?[ \t]*[=:][ \t]*"?([^"\s`|#]+)/gm;
  it.each(['docker-compose.yml', 'README.md', '.env.example'])('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    const examples = [...text.matchAll(SECRET_NAME)]
      .map((m) => m[2]!)
      .filter((value) => !value.startsWith('${') && !value.startsWith('*(') && !value.startsWith('<') && value !== 'ADMIN_PASSWORD');
    for (const value of examples) expect(isKnownPlaceholder(value), `${file}: ${value}`).toBe(true);
    // And the documented URLs' passwords.
    for (const m of text.matchAll(/[a-z]+:\/\/[^:@\s/]*:([^@\s$]+)@/g)) {
      if (!m[1]!.startsWith('<') && !m[1]!.startsWith('pw')) expect(isKnownPlaceholder(m[1]!), `${file}: ${m[0]}`).toBe(true);
    }
  });
});
