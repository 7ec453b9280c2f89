import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDunningRules } from '../../../src/core/rules.js';
import { RulesFileError, loadDunningRules } from '../../../src/workflows/load-rules.js';

async function rulesFile(content: string): Promise<string> {
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'rules-')), 'rules.json');
  await writeFile(file, content);
  return file;
}

describe('loadDunningRules', () => {
  it('gives the defaults without a file', async () => {
    expect(await loadDunningRules()).toEqual(defaultDunningRules);
  });

  it('overrides only the keys the file sets', async () => {
    const rules = await loadDunningRules(await rulesFile('{"sendWindow":{"start":"09:00"},"caps":{"contactsPer7Days":2}}'));
    expect(rules.sendWindow).toEqual({ start: '09:00', end: '20:00', days: [1, 2, 3, 4, 5] });
    expect(rules.caps).toEqual({ emailsPerDay: 1, contactsPer7Days: 2, minDaysBetweenReminders: 4 });
    expect(rules.promiseGraceDays).toBe(defaultDunningRules.promiseGraceDays);
  });

  it('names every bad field', async () => {
    const file = await rulesFile('{"sendWindow":{"start":"25:00"},"caps":{"emailsPerDay":-1}}');
    await expect(loadDunningRules(file)).rejects.toThrow(RulesFileError);
    await expect(loadDunningRules(file)).rejects.toThrow(/sendWindow\.start: must be HH:mm[\s\S]*caps\.emailsPerDay/);
  });

  it('reports a file that is not JSON', async () => {
    await expect(loadDunningRules(await rulesFile('{nope'))).rejects.toThrow(/Invalid dunning rules in .*rules\.json/);
  });
});
