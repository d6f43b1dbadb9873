import { describe, expect, it } from 'vitest';
import { pickleDumps, pickleLoads, UnpicklingError } from './pickle.ts';
import { PyTuple } from '../python/values.ts';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('pickleDumps (protocol 5, CPython bytes)', () => {
  it('reproduces CPython pickle.dumps(protocol=5) vectors', () => {
    expect(pickleDumps([-1.5, true]).toString('hex')).toBe('80 05 95 0d00000000000000 47 bff8000000000000 88 86 94 2e'.replace(/ /g, ''));
    expect(pickleDumps([-0.25, false]).toString('hex')).toBe('80 05 95 0d00000000000000 47 bfd0000000000000 89 86 94 2e'.replace(/ /g, ''));
    expect(pickleDumps('hello').toString('hex')).toBe('80 05 95 0900000000000000 8c 05 68656c6c6f 94 2e'.replace(/ /g, ''));
    expect(pickleDumps(3.0).toString('hex')).toBe('80 05 95 0a00000000000000 47 4008000000000000 2e'.replace(/ /g, ''));
  });

  it('matches CPython for the empty string, long strings and non-ASCII text', () => {
    // pickle.dumps('', protocol=5)
    expect(pickleDumps('').toString('hex')).toBe('80059504000000000000008c00942e');
    // 'é' * 200 is 400 UTF-8 bytes: BINUNICODE ('X' + u32 length) inside a frame of 407 bytes
    const e = pickleDumps('é'.repeat(200));
    expect(e.subarray(0, 12).toString('hex')).toBe('800595970100000000000058');
    expect(e.readUInt32LE(12)).toBe(400);
    expect(e.length).toBe(2 + 9 + 5 + 400 + 2);
    // a payload of 64 KiB or more is written outside any frame
    const big = pickleDumps('y'.repeat(70000));
    expect(big.subarray(0, 7).toString('hex')).toBe('80055870110100');
    expect(big.subarray(-2).toString('hex')).toBe('942e');
    expect(big.length).toBe(70009);
  });

  it('writes -inf and NaN as big-endian doubles', () => {
    expect(pickleDumps([-Infinity, false]).toString('hex')).toBe('8005950d0000000000000047fff00000000000008986942e');
    expect(pickleLoads(pickleDumps(NaN))).toBeNaN();
  });

  it('rejects shapes it does not know', () => {
    expect(() => pickleDumps([1, 2, 3] as never)).toThrow(TypeError);
    expect(() => pickleDumps(null as never)).toThrow(TypeError);
  });
});

describe('pickleLoads', () => {
  it('round-trips the cache value shapes', () => {
    const t = pickleLoads(pickleDumps([-1.5, true]));
    expect(t).toBeInstanceOf(PyTuple);
    expect([...(t as PyTuple)]).toEqual([-1.5, true]);
    expect(pickleLoads(pickleDumps(-2))).toBe(-2);
    expect(pickleLoads(pickleDumps('Ответ: 7\n'))).toBe('Ответ: 7\n');
    expect(pickleLoads(pickleDumps('z'.repeat(70000)))).toBe('z'.repeat(70000));
  });

  it('reads older protocols and memo references written by CPython', () => {
    // pickle.dumps((-1.5, True), protocol=2): BINPUT instead of MEMOIZE, no frame
    expect([...(pickleLoads(hex('800247bff8000000000000888671002e')) as PyTuple)]).toEqual([-1.5, true]);
    // pickle.dumps(('a', 'a'), protocol=5): the second 'a' is a BINGET of the first
    expect([...(pickleLoads(hex('80059509000000000000008c016194680086942e')) as PyTuple)]).toEqual(['a', 'a']);
    // pickle.dumps(-2.0, protocol=3)
    expect(pickleLoads(hex('800347c0000000000000002e'))).toBe(-2);
  });

  it('refuses truncated or foreign data', () => {
    expect(() => pickleLoads(hex('8005950d0000000000000047bff8'))).toThrow(UnpicklingError);
    expect(() => pickleLoads(hex('80057d942e'))).toThrow(/unsupported pickle opcode 0x7d/); // {} (a dict)
    expect(() => pickleLoads(hex('8005'))).toThrow(/no STOP/);
  });
});
