/**
 * The small subset of Python's pickle (protocol 5) that lm-eval's response cache stores
 * (lm_eval/api/model.py `CachingLM`, through sqlitedict): `(float, bool)` tuples, floats and str. The writer reproduces
 * CPython's `pickle.dumps(value, protocol=5)` byte for byte for those shapes, so a Python
 * lm-eval (sqlitedict) can read our values and we can read its values.
 */
import { PyTuple, tuple } from '../python/values.ts';

/** A value the response cache stores. */
export type PickleValue = number | string | boolean | PyTuple<number | boolean> | [number, boolean];

const PROTO = 0x80;
const FRAME = 0x95;
const BINFLOAT = 0x47; // 'G'
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const TUPLE1 = 0x85;
const TUPLE2 = 0x86;
const TUPLE3 = 0x87;
const MARK = 0x28; // '('
const TUPLE = 0x74; // 't'
const EMPTY_TUPLE = 0x29; // ')'
const MEMOIZE = 0x94;
const SHORT_BINUNICODE = 0x8c;
const BINUNICODE = 0x58; // 'X'
const BINUNICODE8 = 0x8d;
const BININT = 0x4a; // 'J'
const BININT1 = 0x4b; // 'K'
const BININT2 = 0x4d; // 'M'
const NONE = 0x4e; // 'N'
const BINGET = 0x68; // 'h'
const LONG_BINGET = 0x6a; // 'j'
const BINPUT = 0x71; // 'q' (protocols 1-3 memoize with explicit indexes)
const LONG_BINPUT = 0x72; // 'r'
const STOP = 0x2e; // '.'

// CPython's pickler: frames smaller than 4 bytes are dropped, and a str/bytes payload of 64 KiB
// or more is written outside any frame (the frame before it is committed first).
const FRAME_SIZE_MIN = 4;
const FRAME_SIZE_TARGET = 64 * 1024;

/** Collects opcodes, framing them the way CPython's C pickler does. */
class FramedWriter {
  private readonly out: Buffer[] = [];
  private frame: Buffer[] = [];

  /** Bytes that belong to the current frame. */
  write(b: Buffer): void {
    this.frame.push(b);
  }

  /** Ends the current frame (header only if its size reaches FRAME_SIZE_MIN). */
  commit(): void {
    const body = Buffer.concat(this.frame);
    this.frame = [];
    if (body.length === 0) return;
    if (body.length >= FRAME_SIZE_MIN) {
      const header = Buffer.alloc(9);
      header[0] = FRAME;
      header.writeBigUInt64LE(BigInt(body.length), 1);
      this.out.push(header);
    }
    this.out.push(body);
  }

  /** Bytes written outside any frame (after committing the current one). */
  writeUnframed(b: Buffer): void {
    this.commit();
    this.out.push(b);
  }

  finish(): Buffer {
    this.commit();
    return Buffer.concat(this.out);
  }
}

function floatBytes(x: number): Buffer {
  const b = Buffer.alloc(9);
  b[0] = BINFLOAT;
  b.writeDoubleBE(x, 1);
  return b;
}

function strOps(w: FramedWriter, s: string): void {
  const data = Buffer.from(s, 'utf8');
  let header: Buffer;
  if (data.length < 256) {
    header = Buffer.from([SHORT_BINUNICODE, data.length]);
  } else if (data.length <= 0xffffffff) {
    header = Buffer.alloc(5);
    header[0] = BINUNICODE;
    header.writeUInt32LE(data.length, 1);
  } else {
    header = Buffer.alloc(9);
    header[0] = BINUNICODE8;
    header.writeBigUInt64LE(BigInt(data.length), 1);
  }
  if (data.length >= FRAME_SIZE_TARGET) {
    w.writeUnframed(Buffer.concat([header, data]));
  } else {
    w.write(header);
    w.write(data);
  }
  w.write(Buffer.from([MEMOIZE]));
}

/**
 * `pickle.dumps(value, protocol=5)` for the cache's value shapes. A JS number is written as a
 * Python float (every number the cache stores is a float: logprobs and rolling sums).
 */
export function pickleDumps(value: PickleValue): Buffer {
  const w = new FramedWriter();
  const head = Buffer.from([PROTO, 5]);
  const item = (v: unknown): void => {
    if (typeof v === 'number') w.write(floatBytes(v));
    else if (typeof v === 'boolean') w.write(Buffer.from([v ? NEWTRUE : NEWFALSE]));
    else if (typeof v === 'string') strOps(w, v);
    else throw new TypeError(`pickleDumps: unsupported value ${String(v)}`);
  };
  if (Array.isArray(value)) {
    if (value.length !== 2) throw new TypeError('pickleDumps: only 2-tuples are supported');
    item(value[0]);
    item(value[1]);
    w.write(Buffer.from([TUPLE2, MEMOIZE]));
  } else {
    item(value);
  }
  w.write(Buffer.from([STOP]));
  return Buffer.concat([head, w.finish()]);
}

export class UnpicklingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnpicklingError';
  }
}

/**
 * `pickle.loads` for the opcodes the cache's value shapes use (protocols 2–5): floats, small
 * ints, bools, None, str and tuples of those. Tuples come back as {@link PyTuple}. Anything else
 * throws {@link UnpicklingError} (the caller treats the entry as a miss).
 */
export function pickleLoads(bytes: Uint8Array): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo: unknown[] = [];
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > buf.length) throw new UnpicklingError('pickle data was truncated');
  };
  const pop = (): unknown => {
    if (stack.length === 0) throw new UnpicklingError('unpickling stack underflow');
    return stack.pop();
  };
  const readStr = (n: number) => {
    need(n);
    const s = buf.toString('utf8', pos, pos + n);
    pos += n;
    stack.push(s);
  };
  while (pos < buf.length) {
    const op = buf[pos++];
    switch (op) {
      case PROTO:
        need(1);
        pos += 1;
        break;
      case FRAME:
        need(8);
        pos += 8; // frame boundaries carry no data
        break;
      case BINFLOAT:
        need(8);
        stack.push(buf.readDoubleBE(pos));
        pos += 8;
        break;
      case BININT:
        need(4);
        stack.push(buf.readInt32LE(pos));
        pos += 4;
        break;
      case BININT1:
        need(1);
        stack.push(buf[pos]);
        pos += 1;
        break;
      case BININT2:
        need(2);
        stack.push(buf.readUInt16LE(pos));
        pos += 2;
        break;
      case NEWTRUE:
        stack.push(true);
        break;
      case NEWFALSE:
        stack.push(false);
        break;
      case NONE:
        stack.push(null);
        break;
      case SHORT_BINUNICODE:
        need(1);
        readStr(buf[pos++]);
        break;
      case BINUNICODE: {
        need(4);
        const n = buf.readUInt32LE(pos);
        pos += 4;
        readStr(n);
        break;
      }
      case BINUNICODE8: {
        need(8);
        const n = Number(buf.readBigUInt64LE(pos));
        pos += 8;
        readStr(n);
        break;
      }
      case EMPTY_TUPLE:
        stack.push(tuple());
        break;
      case TUPLE1: {
        const a = pop();
        stack.push(tuple(a));
        break;
      }
      case TUPLE2: {
        const b = pop();
        const a = pop();
        stack.push(tuple(a, b));
        break;
      }
      case TUPLE3: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(tuple(a, b, c));
        break;
      }
      case MARK:
        marks.push(stack.length);
        break;
      case TUPLE: {
        const m = marks.pop();
        if (m === undefined) throw new UnpicklingError('could not find MARK');
        stack.push(tuple(...stack.splice(m)));
        break;
      }
      case MEMOIZE:
        if (stack.length === 0) throw new UnpicklingError('MEMOIZE on an empty stack');
        memo.push(stack[stack.length - 1]);
        break;
      case BINPUT:
      case LONG_BINPUT: {
        const width = op === BINPUT ? 1 : 4;
        need(width);
        const i = width === 1 ? buf[pos] : buf.readUInt32LE(pos);
        pos += width;
        if (stack.length === 0) throw new UnpicklingError('PUT on an empty stack');
        memo[i] = stack[stack.length - 1];
        break;
      }
      case BINGET:
      case LONG_BINGET: {
        const width = op === BINGET ? 1 : 4;
        need(width);
        const i = width === 1 ? buf[pos] : buf.readUInt32LE(pos);
        pos += width;
        if (!(i in memo)) throw new UnpicklingError(`memo key ${i} not found`);
        stack.push(memo[i]);
        break;
      }
      case STOP:
        if (stack.length !== 1) throw new UnpicklingError('unexpected stack at STOP');
        return stack[0];
      default:
        throw new UnpicklingError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${pos - 1}`);
    }
  }
  throw new UnpicklingError('pickle data has no STOP opcode');
}
