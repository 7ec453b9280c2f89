import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { parsePayload, parseQueueNames, parseWorkerRole } from '../../../src/jobs/catalog.js';

const caseId = '0b8f2f7e-6c2a-4c55-9a55-6c7d2a4c9f10';

describe('parsePayload', () => {
  it('returns a valid payload', () => {
    expect(parsePayload('step', { caseIds: [caseId], asOf: '2026-03-01T09:00:00+01:00' })).toEqual({
      caseIds: [caseId],
      asOf: '2026-03-01T09:00:00+01:00',
    });
  });

  it.each([
    ['step', { caseIds: ['not-a-uuid'], asOf: '2026-03-01T09:00:00Z' }, /invalid step payload: caseIds\.0: /],
    ['step', { caseIds: [caseId] }, /invalid step payload: asOf: /],
    ['deliver-email', { contactId: 42 }, /invalid deliver-email payload: contactId: /],
    ['credit-hold-event', { holdId: caseId, event: 'lifted' }, /invalid credit-hold-event payload: event: /],
    ['tick', 'not an object', /invalid tick payload: \(payload\): /],
  ] as const)('a bad %s payload is unrecoverable and names the field', (name, data, message) => {
    let thrown: unknown;
    try {
      parsePayload(name, data);
    } catch (error) {
      thrown = error;
    }
    // BullMQ fails an UnrecoverableError at once instead of retrying it `attempts` times.
    expect(thrown).toBeInstanceOf(UnrecoverableError);
    expect((thrown as Error).name).toBe('UnrecoverableError');
    expect((thrown as Error).message).toMatch(message);
  });

  it('names every bad field', () => {
    expect(() => parsePayload('alert-deliver', { alertId: 'x', round: -1 })).toThrow(/alertId: .*; round: /);
  });
});

describe('parseQueueNames (arrears worker --queues)', () => {
  it('reads a role’s queues, ignoring blanks and repeats', () => {
    expect(parseQueueNames('tick,step')).toEqual(['tick', 'step']);
    expect(parseQueueNames(' deliver-email , deliver-sms,deliver-email,')).toEqual(['deliver-email', 'deliver-sms']);
  });

  it.each([
    ['tick,stpe', /unknown queue "stpe"; the queues are tick, statements, step, deliver-email/],
    ['email,sms', /unknown queue "email", "sms"/],
    [' , ', /name at least one queue: tick, /],
  ])('refuses %j, naming what is wrong', (list, message) => {
    expect(() => parseQueueNames(list)).toThrow(message);
  });
});

describe('parseWorkerRole (arrears worker --queues with the mailbox)', () => {
  it('takes mailbox as the IMAP poller, alone or with queues', () => {
    expect(parseWorkerRole('mailbox')).toEqual({ queues: [], mailbox: true });
    expect(parseWorkerRole('tick, mailbox,step')).toEqual({ queues: ['tick', 'step'], mailbox: true });
    expect(parseWorkerRole('deliver-email')).toEqual({ queues: ['deliver-email'], mailbox: false });
    expect(() => parseWorkerRole('mailbx')).toThrow(/unknown queue "mailbx"/);
  });
});
