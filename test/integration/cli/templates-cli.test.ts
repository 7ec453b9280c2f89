import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../../support/processes.js';

// No DATABASE_URL or REDIS_URL anywhere: these commands must not need either, and an unreachable
// address proves none is contacted.
const NO_SERVERS = { DATABASE_URL: 'postgresql://nobody@127.0.0.1:9/none', REDIS_URL: 'redis://127.0.0.1:9', TEMPLATES_DIR: '' };

const folder = mkdtempSync(join(tmpdir(), 'arrears-templates-cli-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

async function run(args: string[], env: Record<string, string> = {}) {
  const cli = startCli(['templates', ...args], { ...NO_SERVERS, ...env });
  const { code } = await cli.exit;
  return { code, output: cli.output() };
}

describe('arrears templates', () => {
  it('previews an English email with sample invoices and the configured company, and writes its HTML', async () => {
    const out = join(folder, 'preview.html');
    const { code, output } = await run(['preview', 'default/overdue-7', '--locale', 'en', '--out', out], {
      COMPANY_NAME: 'Acme Widgets Ltd',
    });
    expect(code, output).toBe(0);
    expect(output).toContain('# default/overdue-7 · email · en');
    expect(output).toMatch(/^Subject: .*Acme Widgets Ltd/m);
    expect(output).toContain('INV-2025-0142');
    expect(output).not.toContain('<!DOCTYPE html>');
    const html = readFileSync(out, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('INV-2025-0142');
  });

  it('previews a payment-plan reminder', async () => {
    const { code, output } = await run(['preview', 'payment-plan/instalment-upcoming', '--locale', 'ro']);
    expect(code, output).toBe(0);
    expect(output).toContain('rata 2 din 5');
  });

  it('previews a Chinese SMS with its segments and UCS-2 encoding, falling back from zh-TW', async () => {
    const { code, output } = await run(['preview', 'default/firm-30', '--locale', 'zh-TW', '--channel', 'sms']);
    expect(code, output).toBe(0);
    expect(output).toContain('# default/firm-30 · sms · zh-CN (asked for zh-TW)');
    expect(output).toMatch(/^SMS: \d segment\(s\), UCS-2$/m);
  });

  it('fails plainly for a channel the template does not have', async () => {
    const { code, output } = await run(['preview', 'default/overdue-14', '--locale', 'en', '--channel', 'sms']);
    expect(code).toBe(1);
    expect(output).toContain('no sms template "default/overdue-14"');
  });

  it('asks for a locale when there is no customer to take it from', async () => {
    const { code, output } = await run(['preview', 'default/overdue-7']);
    expect(code).toBe(2);
    expect(output).toContain('--locale <locale> is required unless --customer is given');
  });

  it('checks the shipped catalog', async () => {
    const { code, output } = await run(['check']);
    expect(code, output).toBe(0);
    expect(output).toMatch(/^OK: \d+ templates render in every locale \(SMS limit 3 segments\)$/m);
  });

  it('names a broken override file and exits 1', async () => {
    const overrides = join(folder, 'overrides');
    const file = join(overrides, 'messages/default/overdue-1/ro/email.text.hbs');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, 'Bună ziua, {{customer.nickname}}\n');
    const { code, output } = await run(['check'], { TEMPLATES_DIR: overrides });
    expect(code).toBe(1);
    expect(output).toContain('1 template problem(s):');
    expect(output).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "nickname" not defined`));
  });

  it('lists template ids with channels and locales', async () => {
    const { code, output } = await run(['list']);
    expect(code, output).toBe(0);
    const rows = output.trim().split('\n');
    expect(rows[0]).toMatch(/^TEMPLATE\s+CHANNEL\s+LOCALES$/);
    expect(rows).toContainEqual(expect.stringMatching(/^default\/firm-30\s+sms\s+en, zh-CN, ro, tr$/));
    expect(rows).toContainEqual(expect.stringMatching(/^payment-plan\/instalment-missed\s+email\s+en, zh-CN, ro, tr$/));
    expect(rows).toContainEqual(expect.stringMatching(/^call-task\s+task\s+en$/));
  });
});
