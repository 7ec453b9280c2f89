import { readFile } from 'node:fs/promises';
import { defaultDunningRules, dunningRulesSchema, type DunningRules } from '../core/rules.js';

/** The rules file does not parse; the message names each bad field. */
export class RulesFileError extends Error {
  constructor(file: string, problems: string[]) {
    super(`Invalid dunning rules in ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RulesFileError';
  }
}

/**
 * The dunning rules: the defaults, or a JSON file overriding any of them (send window, holidays,
 * caps, minimum balances, promise grace, payment-plan reminders, the consumer profile).
 */
export async function loadDunningRules(file?: string): Promise<DunningRules> {
  if (!file) return defaultDunningRules;
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new RulesFileError(file, [(error as Error).message]);
  }
  const parsed = dunningRulesSchema.safeParse(data);
  if (!parsed.success) {
    throw new RulesFileError(
      file,
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  return parsed.data;
}
