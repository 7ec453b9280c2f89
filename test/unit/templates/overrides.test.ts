import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTemplateCatalog,
  renderMessage,
  sampleContext,
  SHIPPED_TEMPLATE_DIR,
  TemplateError,
  TemplateValidationError,
  validateCatalog,
} from '../../../src/templates/index.js';

const folders: string[] = [];

function folderWith(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'arrears-templates-'));
  folders.push(root);
  for (const [relative, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, relative)), { recursive: true });
    writeFileSync(join(root, relative), text);
  }
  return root;
}

function problemsOf(run: () => void) {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TemplateValidationError);
    return (error as TemplateValidationError).problems;
  }
  throw new Error('validation passed');
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

const context = sampleContext('default/overdue-7');

describe('overrides', () => {
  it('replace a shipped message file and partial by dropping files at the same path', () => {
    const overrideDir = folderWith({
      'messages/default/overdue-7/en/email.subject.hbs': 'Unpaid: {{customer.name}}\n',
      'partials/en/pay-link.text.hbs': 'Pay here → {{company.payUrl}}\n',
    });
    const catalog = createTemplateCatalog({ overrideDir });
    const email = renderMessage(catalog, { templateId: 'default/overdue-7', channel: 'email', locale: 'en', context });
    expect(email.subject).toBe('Unpaid: Northwind & Partners S.R.L.');
    expect(email.text).toContain('Pay here → https://pay.delta-supply.example/c/7Q4K9X');
    expect(catalog.messages.get('default/overdue-7')?.get('en')?.get('email.subject')?.overridden).toBe(true);
    expect(catalog.messages.get('default/overdue-7')?.get('en')?.get('email.html')?.overridden).toBe(false);
    expect(() => validateCatalog(catalog)).not.toThrow();
  });

  it('can add a locale the product does not ship, formatted for the customer’s region', () => {
    const overrideDir = folderWith({ 'messages/default/overdue-7/de/sms.hbs': '{{company.name}}: offener Betrag {{> total-due}}.' });
    const sms = renderMessage(createTemplateCatalog({ overrideDir }), {
      templateId: 'default/overdue-7',
      channel: 'sms',
      locale: 'de-AT',
      context,
    });
    expect(sms).toMatchObject({ locale: 'de', body: 'Delta Industrial Supply: offener Betrag € 1.544,50 + $ 2.450,00.' });
  });

  it('report a syntax error against the file at load', () => {
    const overrideDir = folderWith({ 'messages/default/overdue-1/en/email.subject.hbs': 'Hello {{customer.name' });
    expect(() => createTemplateCatalog({ overrideDir })).toThrow(TemplateError);
    expect(() => createTemplateCatalog({ overrideDir })).toThrow(/overdue-1\/en\/email\.subject\.hbs: syntax error/);
  });
});

describe('validateCatalog', () => {
  it('names the file that uses a missing variable', () => {
    const overrideDir = folderWith({ 'messages/default/overdue-1/ro/email.text.hbs': 'Bună ziua, {{customer.nickname}}' });
    const problems = problemsOf(() => validateCatalog(createTemplateCatalog({ overrideDir })));
    expect(problems).toEqual([
      { file: join(overrideDir, 'messages/default/overdue-1/ro/email.text.hbs'), problem: expect.stringMatching(/"nickname" not defined/) },
    ]);
  });

  it('names a partial with a missing variable and the message that used it', () => {
    const overrideDir = folderWith({ 'partials/tr/pay-link.text.hbs': '{{company.payLink}}' });
    const problems = problemsOf(() => validateCatalog(createTemplateCatalog({ overrideDir })));
    expect(problems[0]).toEqual({
      file: join(overrideDir, 'partials/tr/pay-link.text.hbs'),
      problem: expect.stringMatching(/"payLink" not defined.*while rendering .*messages\/.*\/tr\//),
    });
  });

  it('names an SMS body over the segment limit', () => {
    const overrideDir = folderWith({ 'messages/default/firm-30/en/sms.hbs': `{{company.name}}: ${'please pay now. '.repeat(30)}` });
    const problems = problemsOf(() => validateCatalog(createTemplateCatalog({ overrideDir })));
    expect(problems).toEqual([
      {
        file: join(overrideDir, 'messages/default/firm-30/en/sms.hbs'),
        problem: 'SMS body takes 4 GSM-7 segments with the sample context; the limit is 3',
      },
    ]);
  });

  it('takes the segment limit from the caller', () => {
    const problems = problemsOf(() => validateCatalog(createTemplateCatalog(), { smsSegmentLimit: 1 }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every(({ file, problem }) => file.endsWith('/sms.hbs') && /segments .* limit is 1$/.test(problem))).toBe(true);
  });

  it("counts SMS segments with the business's own company details", () => {
    const company = { ...context.company, name: 'Delta Industrial Supply and Distribution Services of South-East Europe S.A.' };
    expect(() => validateCatalog(createTemplateCatalog())).not.toThrow();
    const problems = problemsOf(() => validateCatalog(createTemplateCatalog(), { company }));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every(({ file, problem }) => file.endsWith('/sms.hbs') && /UCS-2 segments/.test(problem))).toBe(true);
  });

  it('names a shipped step missing a locale', () => {
    const shippedDir = folderWith({});
    cpSync(join(SHIPPED_TEMPLATE_DIR, 'messages'), join(shippedDir, 'messages'), { recursive: true });
    cpSync(join(SHIPPED_TEMPLATE_DIR, 'partials'), join(shippedDir, 'partials'), { recursive: true });
    rmSync(join(shippedDir, 'messages/default/overdue-14/tr'), { recursive: true });
    rmSync(join(shippedDir, 'messages/default/final-notice-60/zh-CN/sms.hbs'));
    const problems = problemsOf(() => validateCatalog(createTemplateCatalog({ shippedDir })));
    expect(problems.map(({ file }) => file.slice(shippedDir.length))).toEqual([
      '/messages/default/overdue-14/tr/email.subject.hbs',
      '/messages/default/overdue-14/tr/email.html.hbs',
      '/messages/default/overdue-14/tr/email.text.hbs',
      '/messages/default/final-notice-60/zh-CN/sms.hbs',
    ]);
    expect(problems[0]!.problem).toBe('missing: "default/overdue-14" ships email in tr, which needs this file');
  });
});
