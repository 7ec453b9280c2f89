import { describe, expect, it } from 'vitest';
import { invoiceKey, referencedNumbers } from '../../../src/cash/reference.js';

const open = ['INV-2026-0041', 'INV-2026-0042', 'INV-2026-0057', '1042', '1043', '1051', 'CRP 1044', 'ANT2026000131', 'A-17', '0042'];

describe('referencedNumbers: the invoices a payment reference names', () => {
  it.each([
    ['INV-2026-0042', ['INV-2026-0042']],
    ['inv 2026-0042', ['INV-2026-0042']],
    ['Inv. 2026 0042', ['INV-2026-0042']],
    ['Payment inv. 2026-0042', ['INV-2026-0042']],
    ['#1042', ['1042']],
    ['INV1042', ['1042']],
    ['Invoice no. 1042', ['1042']],
    ['1042, 1043', ['1042', '1043']],
    ['1042;1043', ['1042', '1043']],
    ['1042 and 1051', ['1042', '1051']],
    ['Invoices 1042 1043 & 1051', ['1042', '1043', '1051']],
    ['INV-1042 + inv-1043', ['1042', '1043']],
    ['crp1044', ['CRP 1044']],
    ['Fatura #ANT2026000131', ['ANT2026000131']],
    ['Factura nr. 1042 și 1043', ['1042', '1043']],
    ['a 17', ['A-17']],
    ['#42', ['0042']], // leading zeros do not matter
    ['', []],
    ['wire transfer', []],
    ['INV-2026-0099', []],
  ])('%j → %j', (reference, expected) => {
    expect(referencedNumbers(reference, open)).toEqual(expected);
  });

  it('treats null as no reference', () => {
    expect(referencedNumbers(null, open)).toEqual([]);
  });

  it.each([
    ['INV-2026-0042', '20260042'],
    ['inv.0042', '42'],
    ['#A-17', 'A17'],
    ['0', '0'],
  ])('invoiceKey(%j) = %j', (number, key) => {
    expect(invoiceKey(number)).toBe(key);
  });
});
