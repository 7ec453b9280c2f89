import { describe, expect, it } from 'vitest';
import { FaultSwitch } from '../../../src/channels/fault-switch.js';

describe('FaultSwitch', () => {
  it('answers the next N requests with the fault, then recovers', () => {
    const faults = new FaultSwitch<number>();
    faults.set(429, 2);
    expect([faults.take(), faults.take(), faults.take()]).toEqual([429, 429, undefined]);
  });

  it('keeps failing until cleared when no count is given', () => {
    const faults = new FaultSwitch<string>();
    faults.set('drop');
    expect(Array.from({ length: 5 }, () => faults.take())).toEqual(Array(5).fill('drop'));
    faults.clear();
    expect(faults.take()).toBeUndefined();
  });
});
