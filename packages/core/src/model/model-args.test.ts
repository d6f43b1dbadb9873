import { describe, expect, it } from 'vitest';
import { LmEvalError } from '../errors.ts';
import { pyFloat } from '../python/values.ts';
import { defineModelArgs, modelArgsHelp, modelArgsMarkdown, readModelArgs } from './model-args.ts';
import { createLogger, EventHub, type LmEvalEvent } from '../log/events.ts';

const SCHEMA = defineModelArgs(
  'toy',
  [
    { name: 'pretrained', type: 'str', required: true, description: 'a model folder.' },
    { name: 'flag', type: 'bool', default: true, description: 'a switch.' },
    { name: 'maybe', type: 'bool', description: 'a tri-state switch.' },
    { name: 'n', type: 'int', min: 1, default: 4, description: 'a count.' },
    { name: 'x', type: 'float', default: 0.5, description: 'a fraction.' },
    { name: 'obj', type: 'json', description: 'a mapping.' },
    { name: 'batch_size', type: 'batch_size', default: 1, description: 'a batch size.' },
    { name: 'mode', type: 'str', default: 'a', choices: ['a', 'b'], description: 'a choice.' },
  ] as const,
  ['engine_opt'],
);

const read = (args: Record<string, unknown>, fallback?: Record<string, unknown>) => readModelArgs(SCHEMA, { pretrained: 'm', ...args }, fallback);

function errorOf(f: () => unknown): LmEvalError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LmEvalError);
    return e as LmEvalError;
  }
  throw new Error('no error');
}

describe('readModelArgs', () => {
  it('fills defaults, nulls and passthrough keys', () => {
    const v = read({ engine_opt: pyFloat(2) });
    expect(v).toEqual({ pretrained: 'm', flag: true, maybe: null, n: 4, x: 0.5, obj: null, batch_size: 1, mode: 'a', passthrough: { engine_opt: 2 } });
  });

  it('reads the CLI spellings (handle_arg_string) and the same text from programs', () => {
    expect(read({ flag: 'FALSE', maybe: 'True', n: '8', x: '1e-1', obj: '{"k": 1}', batch_size: 'auto:4' })).toMatchObject({
      flag: false,
      maybe: true,
      n: 8,
      x: 0.1,
      obj: { k: 1 },
      batch_size: 'auto:4',
    });
    expect(read({ flag: 0, maybe: 1, n: pyFloat(8), x: 2, batch_size: '16' })).toMatchObject({ flag: false, maybe: true, n: 8, x: 2, batch_size: 16 });
    expect(read({ n: ' 1_000 ' }).n).toBe(1000);
    expect(read({ pretrained: 12 }).pretrained).toBe('12');
    expect(read({ pretrained: pyFloat(1) }).pretrained).toBe('1.0');
  });

  it('None, null, empty and absent all mean the default', () => {
    for (const none of [null, undefined, 'None', '']) expect(read({ n: none, flag: none })).toMatchObject({ n: 4, flag: true });
  });

  it('model_args win over the fallback (CLI flags), which wins over the default', () => {
    expect(read({}, { batch_size: '8' }).batch_size).toBe(8);
    expect(read({ batch_size: 2 }, { batch_size: '8' }).batch_size).toBe(2);
  });

  it('one wording for every bad value', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ flag: 'yes' }, '--model toy: model_args flag=yes: expected True or False.'],
      [{ n: 'abc' }, '--model toy: model_args n=abc: expected an integer >= 1.'],
      [{ n: 0 }, '--model toy: model_args n=0: expected an integer >= 1.'],
      [{ n: 1.5 }, '--model toy: model_args n=1.5: expected an integer >= 1.'],
      [{ x: 'half' }, '--model toy: model_args x=half: expected a number.'],
      [{ obj: '[1]' }, '--model toy: model_args obj=[1]: expected a JSON object.'],
      [{ batch_size: 'lots' }, '--model toy: model_args batch_size=lots: expected a positive integer, auto or auto:N.'],
      [{ mode: 'c' }, '--model toy: model_args mode=c: expected one of a, b.'],
    ];
    for (const [args, message] of cases) {
      const e = errorOf(() => read(args));
      expect(e.message).toBe(message);
      expect(e.hint).toBe(`Fix ${Object.keys(args)[0]} in --model_args.`);
    }
  });

  it('unknown keys list the accepted ones; a missing required one names it', () => {
    expect(errorOf(() => read({ bogus: 1, other: 2 })).message).toBe(
      '--model toy: unknown model_args bogus, other. Accepted: pretrained, flag, maybe, n, x, obj, batch_size, mode; passed through: engine_opt.',
    );
    expect(errorOf(() => read({ bogus: 1 })).hint).toBe('Remove or rename them in --model_args.');
    expect(errorOf(() => read({ engine_op: 1 })).hint).toBe('Did you mean engine_opt (for engine_op)?');
    expect(errorOf(() => readModelArgs(SCHEMA, {})).message).toBe('--model toy needs model_args pretrained: a model folder.');
  });

  it('renders the README table and the --help text from the schema', () => {
    const md = modelArgsMarkdown(SCHEMA);
    expect(md).toContain('| `pretrained` | str | required | a model folder. |');
    expect(md).toContain('| `flag` | bool | `True` | a switch. |');
    expect(md).toContain('| `maybe` | bool | – | a tri-state switch. |');
    expect(md).toContain('Passed through unchanged: `engine_opt`.');
    const help = modelArgsHelp(SCHEMA);
    expect(help.split('\n')[0]).toBe('Model arguments of --model toy (--model_args key=value,...):');
    expect(help).toMatch(/^ {2}n \(int\) +a count\. \[default: 4\]$/m);
  });
});

describe('events', () => {
  it('a logger emits to its hub; unsubscribing stops delivery', () => {
    const hub = new EventHub();
    const seen: LmEvalEvent[] = [];
    const stop = hub.subscribe((e) => seen.push(e));
    const log = createLogger('toy', hub);
    log.warn('careful');
    log.progress('requests', 1, 2);
    log.phase('loading');
    stop();
    log.info('unheard');
    expect(seen).toEqual([
      { type: 'log', level: 'WARNING', source: 'toy', message: 'careful' },
      { type: 'progress', source: 'toy', label: 'requests', done: 1, total: 2 },
      { type: 'phase', source: 'toy', phase: 'loading' },
    ]);
    expect(hub.listenerCount).toBe(0);
  });
});
