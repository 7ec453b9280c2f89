// Production refuses to start with a secret anyone could know: a value printed in our own
// docker-compose.yml, README or .env.example, a word-like placeholder, or a key too short to
// resist guessing. A forged unsubscribe link or webhook needs nothing more than that key.

/**
 * Every example secret Arrears has ever shipped in its docs and compose file (compared without
 * case). Keep old ones: a copied compose file outlives our edits. A unit test fails when a doc
 * shows a secret-looking value this list (or the patterns below) does not refuse.
 */
export const KNOWN_PLACEHOLDERS: readonly string[] = [
  'change-me-to-a-long-random-string-of-32-chars-or-more',
  'arrears',
  'arrears-demo-password',
  'correct horse battery staple',
  'postgres',
  'password',
  'secret',
  'changeme',
];

/** Word-like values no generator prints. */
const PLACEHOLDER_PATTERNS: readonly RegExp[] = [
  /change[\s_-]?(me|this|it)/i,
  /replace[\s_-]?(me|this|with)/i,
  /placeholder|example|your[\s_-]|dummy|sample/i,
  /^(.)\1*$/, // one character repeated
];

/** Keys Arrears itself signs or verifies with (HMAC, cookies): at least this long in production. */
export const PRODUCTION_KEY_MIN_LENGTH = 32;

/** Arrears' own signing keys: placeholder and length checked. */
const SIGNING_KEYS = [
  'UNSUBSCRIBE_SECRET',
  'SESSION_SECRET',
  'EMAIL_WEBHOOK_SECRET',
  'ALERT_WEBHOOK_SECRET',
  'CREDIT_HOLD_WEBHOOK_SECRET',
] as const;

/** Credentials issued by someone else (their length is the provider's choice): placeholder checked. */
const CREDENTIALS = ['TWILIO_AUTH_TOKEN', 'SMTP_PASSWORD', 'REDIS_PASSWORD'] as const;

/** URLs whose password part is a credential. */
const URLS_WITH_PASSWORDS = ['DATABASE_URL', 'REDIS_URL'] as const;

/** The parsed settings these checks read (a slice of the config schema's output). */
export type SecretSettings = { NODE_ENV: string } & {
  [name in (typeof SIGNING_KEYS)[number] | (typeof CREDENTIALS)[number] | (typeof URLS_WITH_PASSWORDS)[number]]?: string | undefined;
};

/** True when `value` is a shipped example or reads like a placeholder. */
export function isKnownPlaceholder(value: string): boolean {
  const lower = value.trim().toLowerCase();
  return KNOWN_PLACEHOLDERS.includes(lower) || PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(lower));
}

/**
 * The problems that stop a production start, each naming its setting (`NAME: reason`), without
 * ever repeating the value. Empty outside production.
 */
export function productionSecretProblems(env: SecretSettings): string[] {
  if (env.NODE_ENV !== 'production') return [];
  const problems: string[] = [];
  const placeholder =
    'is a known placeholder (shipped in the docs or compose file, or reads like one); set a fresh random value, e.g. from `arrears secrets`';
  for (const name of SIGNING_KEYS) {
    const value = env[name];
    if (value === undefined) continue;
    if (isKnownPlaceholder(value)) problems.push(`${name}: ${placeholder}`);
    else if (value.length < PRODUCTION_KEY_MIN_LENGTH)
      problems.push(`${name}: must be at least ${PRODUCTION_KEY_MIN_LENGTH} characters in production (\`arrears secrets\` prints one)`);
  }
  for (const name of CREDENTIALS) {
    const value = env[name];
    if (value !== undefined && isKnownPlaceholder(value)) problems.push(`${name}: ${placeholder}`);
  }
  for (const name of URLS_WITH_PASSWORDS) {
    const password = urlPassword(env[name]);
    if (password !== undefined && isKnownPlaceholder(password)) problems.push(`${name}: its password ${placeholder}`);
  }
  return problems;
}

function urlPassword(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const password = decodeURIComponent(new URL(value).password);
    return password === '' ? undefined : password;
  } catch {
    return undefined;
  }
}
