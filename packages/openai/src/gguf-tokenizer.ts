/**
 * A tokenizer read from a `.gguf` file's metadata (`tokenizer.ggml.*`, read with Hugging Face's
 * maintained GGUF reader `@huggingface/gguf`), turned into the tokenizer.json that transformers'
 * own GGUF loading builds (transformers `integrations/ggml.py`, `GGUFLlamaConverter` /
 * `GGUFGPTConverter`): SentencePiece-style `llama` vocabularies become a byte-fallback BPE whose
 * merges are ranked by the merged piece's score; `gpt2` vocabularies carry their merges. Other
 * tokenizer models are refused with a clear message.
 */
import { LmEvalError } from '@lm-eval/core';

export interface GgufTokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
}

/** llama.cpp token types (`llama_token_type`). */
const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

function asNumber(v: unknown): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return null;
}

/** Merges of a SentencePiece vocabulary: every split of a piece into two vocabulary pieces, best-scoring merged piece first. */
function spmMerges(tokens: string[], scores: number[], types: number[]): string[][] {
  const idOf = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (types[i] === TOKEN_TYPE.normal || types[i] === undefined) idOf.set(t, i);
  });
  const merges: Array<{ left: string; right: string; id: number }> = [];
  for (const [piece, id] of idOf) {
    const chars = [...piece];
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      if (idOf.has(left) && idOf.has(right)) merges.push({ left, right, id });
    }
  }
  merges.sort((a, b) => scores[b.id] - scores[a.id] || a.id - b.id || idOf.get(a.left)! - idOf.get(b.left)!);
  return merges.map((m) => [m.left, m.right]);
}

export async function readGgufTokenizer(file: string): Promise<GgufTokenizerFiles> {
  const { gguf } = await import('@huggingface/gguf');
  let metadata: Record<string, unknown>;
  try {
    metadata = (await gguf(file, { allowLocalFile: true })).metadata as unknown as Record<string, unknown>;
  } catch (e) {
    throw new LmEvalError(`tokenizer=${file}: not a readable GGUF file (${(e as Error).message}).`, 'Pass a .gguf model file, a tokenizer folder, or tokenizer_backend=remote against the llama-server serving it.', { cause: e });
  }
  const kind = metadata['tokenizer.ggml.model'];
  const tokens = metadata['tokenizer.ggml.tokens'] as string[] | undefined;
  if (!Array.isArray(tokens)) throw new LmEvalError(`tokenizer=${file}: the GGUF file has no tokenizer.ggml.tokens.`, 'Use tokenizer_backend=remote against the llama-server serving it.');
  const types = ((metadata['tokenizer.ggml.token_type'] as unknown[]) ?? []).map((x) => asNumber(x) ?? TOKEN_TYPE.normal);
  const id = (k: string) => asNumber(metadata[`tokenizer.ggml.${k}`]);
  const bos = id('bos_token_id');
  const eos = id('eos_token_id');
  const unk = id('unknown_token_id');
  const pad = id('padding_token_id');
  const name = (i: number | null) => (i === null || tokens[i] === undefined ? null : tokens[i]);
  const added = tokens
    .map((content, i) => ({ id: i, content, type: types[i] }))
    .filter((t) => t.type === TOKEN_TYPE.control || t.type === TOKEN_TYPE.userDefined || t.type === TOKEN_TYPE.unknown)
    .map((t) => ({ id: t.id, content: t.content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: t.type !== TOKEN_TYPE.userDefined }));
  const vocab = Object.fromEntries(tokens.map((t, i) => [t, i]));
  // llama.cpp's defaults when the key is absent: BOS for SentencePiece vocabularies, none for gpt2.
  const addBosMeta = metadata['tokenizer.ggml.add_bos_token'];
  const addBos = typeof addBosMeta === 'boolean' ? addBosMeta : kind === 'llama';
  const addEos = metadata['tokenizer.ggml.add_eos_token'] === true;
  const special = (i: number | null) => (i === null ? [] : [{ SpecialToken: { id: tokens[i], type_id: 0 } }]);
  const postProcessor = {
    type: 'TemplateProcessing',
    single: [...(addBos ? special(bos) : []), { Sequence: { id: 'A', type_id: 0 } }, ...(addEos ? special(eos) : [])],
    pair: [...(addBos ? special(bos) : []), { Sequence: { id: 'A', type_id: 0 } }, ...(addBos ? special(bos) : []), { Sequence: { id: 'B', type_id: 1 } }],
    special_tokens: Object.fromEntries([bos, eos].filter((i): i is number => i !== null).map((i) => [tokens[i], { id: tokens[i], ids: [i], tokens: [tokens[i]] }])),
  };
  let tokenizerJson: Record<string, unknown>;
  if (kind === 'llama') {
    const scores = ((metadata['tokenizer.ggml.scores'] as unknown[]) ?? []).map((x) => asNumber(x) ?? 0);
    const addSpacePrefix = metadata['tokenizer.ggml.add_space_prefix'] !== false;
    tokenizerJson = {
      version: '1.0',
      added_tokens: added,
      normalizer: { type: 'Sequence', normalizers: [...(addSpacePrefix ? [{ type: 'Prepend', prepend: '▁' }] : []), { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
      pre_tokenizer: null,
      post_processor: postProcessor,
      decoder: {
        type: 'Sequence',
        decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, ...(addSpacePrefix ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : [])],
      },
      model: { type: 'BPE', dropout: null, unk_token: name(unk), continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: true, byte_fallback: true, ignore_merges: false, vocab, merges: spmMerges(tokens, scores, types) },
    };
  } else if (kind === 'gpt2') {
    const merges = ((metadata['tokenizer.ggml.merges'] as string[]) ?? []).map((m) => m.split(' '));
    tokenizerJson = {
      version: '1.0',
      added_tokens: added,
      normalizer: null,
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: true },
      post_processor: addBos ? postProcessor : { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: name(unk), continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges },
    };
  } else {
    throw new LmEvalError(
      `tokenizer=${file}: GGUF tokenizer model '${String(kind)}' cannot be read here (supported: llama, gpt2).`,
      'Use tokenizer_backend=remote against the llama-server serving this file (its /tokenize is exact), or tokenizer=<the original Hugging Face tokenizer folder>.',
    );
  }
  const tokenizerConfig: Record<string, unknown> = {
    tokenizer_class: kind === 'llama' ? 'LlamaTokenizer' : 'GPT2Tokenizer',
    add_bos_token: addBos,
    add_eos_token: addEos,
    bos_token: name(bos),
    eos_token: name(eos),
    unk_token: name(unk),
    pad_token: name(pad),
    legacy: true,
    clean_up_tokenization_spaces: false,
    chat_template: typeof metadata['tokenizer.chat_template'] === 'string' ? metadata['tokenizer.chat_template'] : undefined,
  };
  return { tokenizerJson, tokenizerConfig };
}
