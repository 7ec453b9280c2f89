import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDovecot, type TestDovecot } from '../../support/dovecot.js';

describe('the test stack Dovecot', () => {
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = await startDovecot();
  }, 60_000);
  afterAll(async () => {
    await dovecot?.stop();
  });

  it('accepts the throwaway user and keeps what is appended', async () => {
    expect(await dovecot.count('INBOX')).toBe(0);
    await dovecot.append('From: a@example.com\r\nSubject: hello\r\n\r\nbody\r\n');
    expect(await dovecot.count('INBOX')).toBe(1);
    expect(await dovecot.count('Processed')).toBe(0);
  });
});
