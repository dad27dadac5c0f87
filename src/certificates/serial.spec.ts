import { checkCharacter, isLegacySerial, newSerial, readSerial, SERIAL_ALPHABET, SERIAL_PATTERN } from './serial';

describe('certificate serials', () => {
  const samples = Array.from({ length: 200 }, () => newSerial('2026'));

  it('reads as ER-<year>- and three groups of four, from an alphabet without 0/O, 1/I/L', () => {
    for (const serial of samples) {
      expect(serial).toMatch(/^ER-2026-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/);
      expect(serial).toMatch(SERIAL_PATTERN);
      expect(serial.slice(8)).not.toMatch(/[01OIL]/);
    }
    expect(SERIAL_ALPHABET).toHaveLength(31);
    expect(new Set(SERIAL_ALPHABET).size).toBe(31);
  });

  it('carries at least 40 random bits, and two serials never repeat in practice', () => {
    expect(11 * Math.log2(SERIAL_ALPHABET.length)).toBeGreaterThanOrEqual(40);
    expect(new Set(samples).size).toBe(samples.length);
  });

  it('ends with the check character of the year and the random part', () => {
    expect(newSerial('2026', () => 0)).toBe(`ER-2026-2222-2222-222${checkCharacter('2026', '22222222222')}`);
    for (const serial of samples) expect(readSerial(serial)).toEqual({ kind: 'serial', serial });
  });

  it('catches a wrong character in any one position, the year included', () => {
    for (const serial of samples.slice(0, 15)) {
      for (let i = 3; i < serial.length; i++) {
        if (serial[i] === '-') continue;
        const choices = /\d/.test(serial[i]) && i < 7 ? '0123456789' : `${SERIAL_ALPHABET}01OIL`;
        for (const wrong of choices) {
          if (wrong === serial[i]) continue;
          const typed = serial.slice(0, i) + wrong + serial.slice(i + 1);
          expect({ typed, read: readSerial(typed).kind }).toEqual({ typed, read: 'typo' });
        }
      }
    }
  });

  it('catches two neighbouring characters swapped', () => {
    for (const serial of samples) {
      const compact = serial.replace(/-/g, '');
      for (let i = 2; i < compact.length - 1; i++) {
        if (compact[i] === compact[i + 1]) continue;
        const swapped = compact.slice(0, i) + compact[i + 1] + compact[i] + compact.slice(i + 2);
        expect(readSerial(swapped).kind).not.toBe('serial');
      }
    }
  });

  it('accepts what people type: lower case, spaces or no dashes, other dashes', () => {
    const serial = samples[0];
    const spaced = serial.toLowerCase().replace(/-/g, ' ');
    expect(readSerial(spaced)).toEqual({ kind: 'serial', serial });
    expect(readSerial(` ${serial.replace(/-/g, '')} `)).toEqual({ kind: 'serial', serial });
    expect(readSerial(serial.replace(/-/g, '\u2013'))).toEqual({ kind: 'serial', serial });
  });

  it('still reads the old sequential serials, which have no check character', () => {
    expect(readSerial('er-2026-000123')).toEqual({ kind: 'serial', serial: 'ER-2026-000123' });
    expect(readSerial('ER 2026 1234567')).toEqual({ kind: 'serial', serial: 'ER-2026-1234567' });
    expect(isLegacySerial('ER-2026-000123')).toBe(true);
    expect(isLegacySerial(samples[0])).toBe(false);
    expect('ER-2026-000123').toMatch(SERIAL_PATTERN);
  });

  it('calls anything else invalid', () => {
    for (const input of ['', 'ER-2026', 'XX-2026-000123', 'ER-2026-12345', 'ER-2026-ABCD-EFGH', 'ER-2026-ABCD-EFGH-JKMN-P', '../etc/passwd']) {
      expect(readSerial(input).kind).toBe('invalid');
    }
  });
});
