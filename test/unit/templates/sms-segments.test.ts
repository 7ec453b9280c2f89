import { describe, expect, it } from 'vitest';
import { countSmsSegments } from '../../../src/templates/sms-segments.js';

const size = (text: string) => countSmsSegments(text);

describe('countSmsSegments', () => {
  it.each([
    ['', 'GSM-7', 0, 0],
    ['a'.repeat(160), 'GSM-7', 160, 1],
    ['a'.repeat(161), 'GSM-7', 161, 2],
    ['a'.repeat(306), 'GSM-7', 306, 2],
    ['a'.repeat(307), 'GSM-7', 307, 3],
    ['@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&\'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà\r\n', 'GSM-7', 64, 1],
  ] as const)('GSM-7 basic: %#', (text, encoding, units, segments) => {
    expect(size(text)).toEqual({ encoding, units, segments });
  });

  it.each([
    ['€'.repeat(80), 160, 1],
    ['€'.repeat(81), 162, 2],
    ['^{}\\[~]|€\f', 20, 1],
    // 152 + 2 would be 154 > 153, so the escape pair opens segment 2 and 1 septet spills to 3.
    ['a'.repeat(152) + '€' + 'a'.repeat(152), 306, 3],
  ] as const)('GSM-7 extended: %#', (text, units, segments) => {
    expect(size(text)).toEqual({ encoding: 'GSM-7', units, segments });
  });

  it.each([
    ['ş'.repeat(70), 70, 1],
    ['ş'.repeat(71), 71, 2],
    ['中'.repeat(134), 134, 2],
    ['中'.repeat(135), 135, 3],
    ['😀'.repeat(35), 70, 1],
    // The surrogate pair at units 67–68 moves whole into segment 2, pushing 1 unit into 3.
    ['x'.repeat(66) + '😀' + 'x'.repeat(66), 134, 3],
  ] as const)('UCS-2: %#', (text, units, segments) => {
    expect(size(text)).toEqual({ encoding: 'UCS-2', units, segments });
  });

  it('switches to UCS-2 for one Turkish, Romanian or Chinese letter', () => {
    for (const letter of ['ş', 'ğ', 'ı', 'İ', 'ç', 'ț', 'ă', '付']) {
      expect(size(`Plata ${letter}`).encoding).toBe('UCS-2');
    }
    expect(size('Çok güzel').encoding).toBe('GSM-7');
  });
});
