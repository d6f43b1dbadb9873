/**
 * Reading a /v1/completions scoring reply without JSON.parse of the whole body. A vLLM reply holds a
 * dict per prompt token (`prompt_logprobs`, or echo's `top_logprobs`), and materialising all of them
 * costs far more than the request; scoring reads only the positions from `ctxlen` on (the
 * continuation). The reader walks the text once, validating it as JSON without building values,
 * counts every array it is asked about, and JSON.parses only the slices scoring reads.
 *
 * What it returns is the part of `JSON.parse(text)` scoring looks at: `{choices: [{index,
 * prompt_logprobs}]}` (or `logprobs.{token_logprobs, top_logprobs}` for echo). Echo arrays have
 * their true lengths and hold the parsed entries from `from` on (holes before); `prompt_logprobs`
 * is a PromptLogprobsTable of the (token id, log-prob) pairs of each position from `from` on. So
 * choicesByIndex / scoreEchoChoice / scorePromptLogprobs run on it as on the parsed reply: same
 * numbers, same length checks, same errors. Anything else (invalid JSON, another shape, a missing or null field, a repeated key)
 * falls back to JSON.parse of the whole text, so the outcome never depends on what the reader covers.
 */
import { PromptLogprobsTable } from './prompt-logprobs-table.ts';
import type { CompletionChoiceLike, EchoLogprobs } from './scoring.ts';

/** Which fields of each choice scoring reads: vLLM's `prompt_logprobs`, or echo's `logprobs`. */
export type ScoringRoute = 'prompt_logprobs' | 'echo';

/** The part of a completions reply that scoring reads. */
export interface ScoringReply {
  choices: CompletionChoiceLike[];
}

/** Thrown inside the reader for anything it does not handle; never leaves this module. */
class NotHandled {}
const NOT_HANDLED = new NotHandled();
function bail(): never {
  throw NOT_HANDLED;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Deepest nesting the reader follows (deeper: JSON.parse decides). */
const MAX_DEPTH = 512;
const NESTING = new Uint8Array(MAX_DEPTH);
/** 10^0 .. 10^15, exact doubles. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/** At a string's opening quote: the index after its closing quote (the string checked as JSON). */
function stringEnd(s: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const c = s.charCodeAt(i++);
    if (c === QUOTE) return i;
    if (!(c >= 0x20)) bail(); // a control character, or NaN past the end
    if (c === BACKSLASH) {
      const e = s.charCodeAt(i++);
      if (e === 0x75) {
        if (!(isHex(s.charCodeAt(i)) && isHex(s.charCodeAt(i + 1)) && isHex(s.charCodeAt(i + 2)) && isHex(s.charCodeAt(i + 3)))) bail();
        i += 4;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74)) bail();
    }
  }
}

/** At a number's first character: the index after it (`-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`). */
function numberEnd(s: string, at: number): number {
  let i = at;
  let c = s.charCodeAt(i);
  if (c === MINUS) c = s.charCodeAt(++i);
  if (c === ZERO) c = s.charCodeAt(++i);
  else if (isDigit(c)) while (isDigit((c = s.charCodeAt(++i))));
  else bail();
  if (c === DOT) {
    if (!isDigit((c = s.charCodeAt(++i)))) bail();
    while (isDigit((c = s.charCodeAt(++i))));
  }
  if (c === 0x65 || c === 0x45) {
    c = s.charCodeAt(++i);
    if (c === PLUS || c === MINUS) c = s.charCodeAt(++i);
    if (!isDigit(c)) bail();
    while (isDigit((c = s.charCodeAt(++i))));
  }
  return i;
}

/** At a member's key (after whitespace): the index after the key, whitespace and colon. */
function afterKey(s: string, at: number): number {
  if (s.charCodeAt(at) !== QUOTE) bail();
  let i = stringEnd(s, at);
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
  if (c !== COLON) bail();
  return i + 1;
}

/** A cursor over JSON text that checks the grammar (RFC 8259, as JSON.parse does) while skipping values. */
class JsonScanner {
  pos = 0;
  constructor(readonly text: string) {}

  /** Skips whitespace; the next character's code (NaN at the end). */
  peek(): number {
    const s = this.text;
    let i = this.pos;
    let c = s.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
    this.pos = i;
    return c;
  }

  expect(code: number): void {
    if (this.peek() !== code) bail();
    this.pos += 1;
  }

  /** After the top-level value: nothing but whitespace may follow. */
  end(): void {
    this.peek();
    if (this.pos !== this.text.length) bail();
  }

  /** Skips one value (any nesting) in a single loop over the text; containers open are kept on NESTING. */
  skipValue(): void {
    const s = this.text;
    let i = this.pos;
    let depth = 0;
    let c: number;
    for (;;) {
      // a value starts at i (after whitespace)
      c = s.charCodeAt(i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
      if (c === QUOTE) i = stringEnd(s, i);
      else if (c === MINUS || isDigit(c)) i = numberEnd(s, i);
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        const object = c === OPEN_BRACE;
        c = s.charCodeAt(++i);
        while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
        if (c === (object ? CLOSE_BRACE : CLOSE_BRACKET)) i += 1;
        else {
          if (depth === MAX_DEPTH) bail();
          NESTING[depth++] = object ? 1 : 0;
          if (object) i = afterKey(s, i);
          continue;
        }
      } else if (c === 0x74 && s.startsWith('true', i)) i += 4;
      else if (c === 0x66 && s.startsWith('false', i)) i += 5;
      else if (c === 0x6e && s.startsWith('null', i)) i += 4;
      else bail();
      // after a value: close what ends here, then go on with the next member
      for (;;) {
        if (depth === 0) {
          this.pos = i;
          return;
        }
        c = s.charCodeAt(i);
        while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
        const object = NESTING[depth - 1] === 1;
        if (c === COMMA) {
          i += 1;
          if (object) {
            c = s.charCodeAt(i);
            while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
            i = afterKey(s, i);
          }
          break;
        }
        if (c !== (object ? CLOSE_BRACE : CLOSE_BRACKET)) bail();
        depth -= 1;
        i += 1;
      }
    }
  }

  /** At a key's opening quote: the key's value (decoded when it holds escapes). */
  readKey(): string {
    const start = this.pos;
    const end = (this.pos = stringEnd(this.text, start));
    const raw = this.text.slice(start + 1, end - 1);
    return raw.includes('\\') ? (JSON.parse(this.text.slice(start, end)) as string) : raw;
  }

  /**
   * Walks an object's members: `member(key)` reads the value of each key it wants and returns true,
   * or returns false to have it skipped.
   */
  members(member: (key: string) => boolean): void {
    if (this.peek() !== OPEN_BRACE) bail();
    this.pos += 1;
    if (this.peek() === CLOSE_BRACE) {
      this.pos += 1;
      return;
    }
    for (;;) {
      if (this.peek() !== QUOTE) bail();
      const key = this.readKey();
      this.expect(COLON);
      if (!member(key)) this.skipValue();
      const c = this.peek();
      this.pos += 1;
      if (c === CLOSE_BRACE) return;
      if (c !== COMMA) bail();
    }
  }

  /**
   * An array with its true length whose entries from `from` on are parsed (JSON.parse of that
   * slice, so numbers and objects are exactly JSON.parse's); the entries before are holes.
   */
  arrayFrom(from: number): unknown[] {
    if (this.peek() !== OPEN_BRACKET) bail();
    this.pos += 1;
    if (this.peek() === CLOSE_BRACKET) {
      this.pos += 1;
      return [];
    }
    let count = 0;
    let tail = -1;
    for (;;) {
      if (count === from) {
        this.peek();
        tail = this.pos;
      }
      this.skipValue();
      count += 1;
      const c = this.peek();
      this.pos += 1;
      if (c === CLOSE_BRACKET) break;
      if (c !== COMMA) bail();
    }
    const out = new Array<unknown>(count);
    if (tail >= 0) {
      const parsed = JSON.parse('[' + this.text.slice(tail, this.pos)) as unknown[];
      for (let j = 0; j < parsed.length; j++) out[from + j] = parsed[j];
    }
    return out;
  }

  /** At a key's opening quote: the key as a token id when it is one ("0", "417", at most 15 digits; nothing else). */
  tokenIdKey(): number {
    const s = this.text;
    let i = this.pos + 1;
    let c = s.charCodeAt(i);
    let id = 0;
    if (c === ZERO) c = s.charCodeAt(++i);
    else if (c > ZERO && c <= NINE) {
      do {
        id = id * 10 + (c - ZERO);
        c = s.charCodeAt(++i);
      } while (isDigit(c) && i - this.pos <= 15);
    }
    if (c === BACKSLASH) {
      // written with escapes: decoded, then held to the same rule
      const key = this.readKey();
      if (!/^(?:0|[1-9][0-9]{0,14})$/.test(key)) bail();
      return Number(key);
    }
    if (c !== QUOTE || i === this.pos + 1) bail();
    this.pos = i + 1;
    return id;
  }

  /**
   * A number value, exactly JSON.parse's: digits and a fraction of at most 15 digits in all are
   * read as an integer and divided by a power of ten (both exact doubles, so the one rounding of
   * the division is the correctly rounded value, as Number() gives); anything longer, or with an
   * exponent, goes through Number() of the literal.
   */
  number(): number {
    const s = this.text;
    let c = this.peek();
    const start = this.pos;
    let i = start;
    const negative = c === MINUS;
    if (negative) c = s.charCodeAt(++i);
    let m = 0;
    let digits = 0;
    let scale = 0;
    if (c === ZERO) c = s.charCodeAt(++i);
    else if (isDigit(c)) {
      do {
        m = m * 10 + (c - ZERO);
        digits += 1;
        c = s.charCodeAt(++i);
      } while (isDigit(c));
    } else bail();
    if (c === DOT) {
      c = s.charCodeAt(++i);
      if (!isDigit(c)) bail();
      do {
        m = m * 10 + (c - ZERO);
        digits += 1;
        scale += 1;
        c = s.charCodeAt(++i);
      } while (isDigit(c));
    }
    if (digits > 15 || c === 0x65 || c === 0x45) {
      this.pos = numberEnd(s, start);
      return Number(s.slice(start, this.pos));
    }
    this.pos = i;
    const v = scale === 0 ? m : m / POW10[scale];
    return negative ? -v : v;
  }

}

/**
 * vLLM's `prompt_logprobs` list as a PromptLogprobsTable: the positions before `from` skipped, each
 * later one `null` or `{"<id>": {"logprob": x, ...} | x, ...}` (a repeated id keeps its last value,
 * as in JSON.parse). Anything else at those positions (a key that is not a token id, a value
 * without a numeric `logprob`) is left to JSON.parse.
 */
function readPromptLogprobs(sc: JsonScanner, from: number): PromptLogprobsTable {
  if (sc.peek() !== OPEN_BRACKET) bail();
  sc.pos += 1;
  const starts: number[] = [];
  const ids: number[] = [];
  const logprobs: number[] = [];
  let count = 0;
  if (sc.peek() === CLOSE_BRACKET) sc.pos += 1;
  else {
    for (;;) {
      if (count < from) sc.skipValue();
      else {
        starts.push(ids.length);
        readPosition(sc, ids, logprobs);
      }
      count += 1;
      const c = sc.peek();
      sc.pos += 1;
      if (c === CLOSE_BRACKET) break;
      if (c !== COMMA) bail();
    }
  }
  starts.push(ids.length);
  return new PromptLogprobsTable(count, from, starts, ids, logprobs);
}

/** One position of prompt_logprobs: its (id, log-prob) pairs appended. */
function readPosition(sc: JsonScanner, ids: number[], logprobs: number[]): void {
  const c = sc.peek();
  if (c === 0x6e) return sc.skipValue(); // null (skipValue checks the literal)
  if (c !== OPEN_BRACE) bail();
  const first = ids.length;
  sc.pos += 1;
  if (sc.peek() === CLOSE_BRACE) {
    sc.pos += 1;
    return;
  }
  for (;;) {
    if (sc.peek() !== QUOTE) bail();
    const id = sc.tokenIdKey();
    sc.expect(COLON);
    const lp = sc.peek() === OPEN_BRACE ? readLogprobObject(sc) : sc.number();
    let k = first;
    while (k < ids.length && ids[k] !== id) k++;
    if (k < ids.length) logprobs[k] = lp; // a repeated key: the last value, as JSON.parse keeps it
    else {
      ids.push(id);
      logprobs.push(lp);
    }
    const e = sc.peek();
    sc.pos += 1;
    if (e === CLOSE_BRACE) return;
    if (e !== COMMA) bail();
  }
}

/** `{"logprob": x, ...}`: x (the other members skipped). */
function readLogprobObject(sc: JsonScanner): number {
  const s = sc.text;
  let lp: number | undefined;
  sc.pos += 1; // {
  if (sc.peek() === CLOSE_BRACE) bail();
  for (;;) {
    if (sc.peek() !== QUOTE) bail();
    let logprob: boolean;
    if (s.startsWith('"logprob"', sc.pos)) {
      sc.pos += 9;
      logprob = true;
    } else {
      // another key; decoded only when it holds an escape (it might spell "logprob")
      const start = sc.pos;
      const end = stringEnd(s, start);
      let escaped = false;
      for (let j = start + 1; j < end - 1 && !escaped; j++) escaped = s.charCodeAt(j) === BACKSLASH;
      logprob = escaped && JSON.parse(s.slice(start, end)) === 'logprob';
      sc.pos = end;
    }
    sc.expect(COLON);
    if (logprob) {
      if (lp !== undefined) bail();
      lp = sc.number();
    } else sc.skipValue();
    const e = sc.peek();
    sc.pos += 1;
    if (e === CLOSE_BRACE) break;
    if (e !== COMMA) bail();
  }
  if (lp === undefined) bail();
  return lp;
}

function readEchoLogprobs(sc: JsonScanner, from: number): EchoLogprobs {
  let tl: unknown[] | undefined;
  let top: unknown[] | undefined;
  sc.members((key) => {
    if (key === 'token_logprobs') {
      if (tl !== undefined) bail();
      tl = sc.arrayFrom(from);
      return true;
    }
    if (key === 'top_logprobs') {
      if (top !== undefined) bail();
      top = sc.arrayFrom(from);
      return true;
    }
    return false;
  });
  if (tl === undefined || top === undefined) bail();
  return { token_logprobs: tl, top_logprobs: top };
}

function readChoice(sc: JsonScanner, route: ScoringRoute, from: number): CompletionChoiceLike {
  let index: number | undefined;
  let hasIndex = false;
  let pl: PromptLogprobsTable | undefined;
  let lp: EchoLogprobs | undefined;
  sc.members((key) => {
    if (key === 'index') {
      if (hasIndex) bail();
      hasIndex = true;
      index = sc.number();
      return true;
    }
    if (key === 'prompt_logprobs' && route === 'prompt_logprobs') {
      if (pl !== undefined) bail();
      pl = readPromptLogprobs(sc, from);
      return true;
    }
    if (key === 'logprobs' && route === 'echo') {
      if (lp !== undefined) bail();
      lp = readEchoLogprobs(sc, from);
      return true;
    }
    return false;
  });
  const choice: CompletionChoiceLike = {};
  if (hasIndex) choice.index = index;
  if (route === 'prompt_logprobs') {
    if (pl === undefined) bail();
    choice.prompt_logprobs = pl;
  } else {
    if (lp === undefined) bail();
    choice.logprobs = lp;
  }
  return choice;
}

/**
 * The scoring part of a completions reply, read without parsing the entries before `from` (the
 * smallest ctxlen of the request's prompts); null when the text is anything the reader does not
 * handle (the caller then parses it whole).
 */
export function readScoringReply(text: string, route: ScoringRoute, from: number): ScoringReply | null {
  try {
    const sc = new JsonScanner(text);
    let choices: CompletionChoiceLike[] | undefined;
    sc.members((key) => {
      if (key !== 'choices') return false;
      if (choices !== undefined) bail();
      if (sc.peek() !== OPEN_BRACKET) bail();
      sc.pos += 1;
      choices = [];
      if (sc.peek() === CLOSE_BRACKET) {
        sc.pos += 1;
        return true;
      }
      for (;;) {
        choices.push(readChoice(sc, route, from));
        const c = sc.peek();
        sc.pos += 1;
        if (c === CLOSE_BRACKET) return true;
        if (c !== COMMA) bail();
      }
    });
    sc.end();
    if (choices === undefined) return null;
    return { choices };
  } catch {
    // NotHandled, or anything else (a nesting deep enough to exhaust the stack): JSON.parse decides
    return null;
  }
}

/**
 * The `parse` reader for a scoring request's reply (JsonHttpClient.request): the scoring part read
 * lazily, or the whole JSON.parse when the reader does not handle the text (invalid JSON then
 * throws JSON.parse's own SyntaxError: a malformed reply, retried). `from` is the smallest ctxlen
 * of the request's prompts, `longest` the longest prompt. On the echo route, when scoring reads
 * more than half of the entries (a first rolling window reads them all), skipping saves less than
 * the scan costs and the reply is JSON.parsed whole; prompt_logprobs tables are cheaper to build
 * than the dicts JSON.parse makes, however many positions are read.
 */
export function scoringReplyParser(route: ScoringRoute, from: number, longest: number): (text: string) => unknown {
  if (route === 'echo' && 2 * from < longest) return JSON.parse;
  return (text) => readScoringReply(text, route, from) ?? JSON.parse(text);
}
