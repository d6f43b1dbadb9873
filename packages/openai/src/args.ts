/**
 * `--model_args` of the TemplateAPI family (api-backends.md §3.1), validated and defaulted per
 * backend. Values arrive typed (bool/int/float/string); unknown keys are refused with the list of
 * accepted ones. The API key is read from the environment here and never leaves this object except
 * as an HTTP header.
 */
import { LmEvalError, toNumber, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core';

/** `gguf` = local-completions with llama.cpp defaults (lm-eval's name): base_url is the llama-server root. */
export type ApiBackendName = 'local-completions' | 'local-chat-completions' | 'openai-completions' | 'openai-chat-completions' | 'gguf';
export type TokenizerBackend = 'huggingface' | 'tiktoken' | 'remote' | 'none' | 'auto';
export type ScoringChoice = 'auto' | 'echo' | 'prompt_logprobs' | 'forced';

export interface ApiModelConfig {
  backend: ApiBackendName;
  /** Sent as `"model"`. */
  model: string | null;
  /** Full endpoint URL POSTed to. */
  baseUrl: string;
  tokenizerBackend: TokenizerBackend;
  /** Tokenizer id/path (default: `model`). */
  tokenizer: string | null;
  tokenizedRequests: boolean;
  numConcurrent: number;
  /** Attempts per request (lm-eval/tenacity semantics: total attempts, not extra ones). */
  maxRetries: number;
  timeoutMs: number;
  batchSize: number;
  /** `max_length` as given (the backend keeps one slot for the generated token: see maxInputLength). */
  maxLength: number;
  maxGenToks: number;
  seed: number;
  addBosToken: boolean;
  /** add_bos_token was given (gguf otherwise follows the server's tokenizer). */
  addBosTokenGiven: boolean;
  customPrefixTokenId: number | null;
  verifyCertificate: boolean;
  caCertPath: string | null;
  /** Replaces the default headers entirely when given. */
  header: Record<string, string> | null;
  eosString: string | null;
  thinkEndToken: string | null;
  /** Loglikelihood scoring route (extension): auto = vLLM prompt_logprobs when offered, else echo, else forced tokens (llama.cpp). */
  scoring: ScoringChoice;
  /** Bearer token; never part of identity, results, logs or errors. */
  apiKey: string;
  /** Bearer token for the remote tokenizer endpoints (`auth_token`; default: the API key). */
  authToken: string | null;
}

/** Arguments every TemplateAPI backend accepts (lm-eval names). */
export const ACCEPTED_ARGS = [
  'model',
  'pretrained',
  'base_url',
  'tokenizer',
  'tokenizer_backend',
  'tokenized_requests',
  'num_concurrent',
  'max_retries',
  'timeout',
  'batch_size',
  'max_length',
  'max_gen_toks',
  'seed',
  'add_bos_token',
  'custom_prefix_token_id',
  'verify_certificate',
  'ca_cert_path',
  'auth_token',
  'header',
  'eos_string',
  'think_end_token',
  'truncate',
  'trust_remote_code',
  'revision',
  'use_fast_tokenizer',
  'max_images',
  'scoring',
] as const;

const DEFAULT_URL: Record<ApiBackendName, string | null> = {
  'local-completions': null,
  'local-chat-completions': null,
  'openai-completions': 'https://api.openai.com/v1/completions',
  'openai-chat-completions': 'https://api.openai.com/v1/chat/completions',
  gguf: null,
};

/**
 * A base_url given as a server root or `…/v1` is completed to the endpoint the backend posts to
 * (`notice`: the one line to print; null for `gguf`, whose base_url is the server root, as in lm-eval).
 */
export function completeBaseUrl(backend: ApiBackendName, baseUrl: string): { url: string; notice: string | null } {
  const u = new URL(baseUrl);
  const p = u.pathname.replace(/\/+$/, '');
  if (p !== '' && p !== '/v1') return { url: baseUrl, notice: null };
  const endpoint = isChatBackend(backend) ? '/v1/chat/completions' : '/v1/completions';
  const url = `${u.origin}${endpoint}${u.search}`;
  const notice = backend === 'gguf' ? null : `base_url=${baseUrl} is ${p === '' ? 'a server root' : 'the /v1 prefix'}; posting to ${url} (the endpoint ${backend} uses).`;
  return { url, notice };
}

export function isChatBackend(b: ApiBackendName): boolean {
  return b === 'local-chat-completions' || b === 'openai-chat-completions';
}

function warn(msg: string): void {
  process.stderr.write(`WARNING [lm-eval openai] ${msg}\n`);
}

export function parseApiModelArgs(
  backend: ApiBackendName,
  args: ModelArgs,
  options: ModelFactoryOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ApiModelConfig {
  const unknown = Object.keys(args).filter((k) => !(ACCEPTED_ARGS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new LmEvalError(
      `Unknown --model_args for ${backend}: ${unknown.join(', ')}.`,
      `Accepted arguments: ${ACCEPTED_ARGS.join(', ')}.`,
    );
  }
  const str = (k: string): string | null => {
    const v = args[k];
    if (v === undefined || v === null || v === '') return null;
    return typeof v === 'string' ? v : String(toNumber(v));
  };
  const int = (k: string, dflt: number, min = 0): number => {
    const v = args[k];
    if (v === undefined || v === null) return dflt;
    const n = typeof v === 'string' ? Number(v) : toNumber(v);
    if (!Number.isFinite(n) || !Number.isInteger(n) || n < min) {
      throw new LmEvalError(`--model_args ${k}=${String(v)} must be an integer ≥ ${min}.`);
    }
    return n;
  };
  const num = (k: string, dflt: number): number => {
    const v = args[k];
    if (v === undefined || v === null) return dflt;
    const n = typeof v === 'string' ? Number(v) : toNumber(v);
    if (!Number.isFinite(n) || n <= 0) throw new LmEvalError(`--model_args ${k}=${String(v)} must be a positive number.`);
    return n;
  };
  const bool = (k: string, dflt: boolean): boolean => {
    const v = args[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    if (typeof v === 'number') return v !== 0;
    throw new LmEvalError(`--model_args ${k}=${String(v)} must be True or False.`);
  };

  const chat = isChatBackend(backend);
  const model = str('model') ?? str('pretrained');
  let baseUrl = str('base_url') ?? DEFAULT_URL[backend];
  if (!baseUrl) {
    throw new LmEvalError(
      backend === 'gguf'
        ? 'gguf needs base_url: the llama-server root, e.g. base_url=http://127.0.0.1:8080 (start it with: llama-server -m model.gguf --port 8080).'
        : `${backend} needs base_url: the full endpoint URL, e.g. base_url=http://127.0.0.1:8000/v1/${chat ? 'chat/completions' : 'completions'}.`,
    );
  }
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new LmEvalError(`--model_args base_url=${baseUrl} is not an http(s) URL.`);
  }
  const completed = completeBaseUrl(backend, baseUrl);
  if (completed.notice) warn(completed.notice);
  baseUrl = completed.url;

  const defaultBackend: TokenizerBackend =
    backend === 'local-completions' || backend === 'gguf' ? 'auto' : backend === 'openai-completions' ? 'tiktoken' : 'none';
  const tbRaw = (str('tokenizer_backend') ?? defaultBackend).toLowerCase();
  const tokenizerBackend = (tbRaw === 'null' ? 'none' : tbRaw) as TokenizerBackend;
  if (!['huggingface', 'tiktoken', 'remote', 'none', 'auto'].includes(tokenizerBackend)) {
    throw new LmEvalError(
      `--model_args tokenizer_backend=${tbRaw} is not supported.`,
      'Use huggingface, tiktoken, remote, none (or auto for local-completions).',
    );
  }
  let tokenizedRequests = bool('tokenized_requests', !chat);
  if (tokenizerBackend === 'none' && tokenizedRequests) {
    if (args.tokenized_requests !== undefined) warn('tokenizer_backend=none: tokenized_requests forced to False.');
    tokenizedRequests = false;
  }

  let batchSize = 1;
  const bsRaw = args.batch_size ?? options.batchSize;
  if (bsRaw !== undefined && bsRaw !== null) {
    if (typeof bsRaw === 'string' && bsRaw.startsWith('auto')) {
      warn('batch_size=auto is not supported for API models; using 1.');
    } else {
      const n = typeof bsRaw === 'string' ? Number(bsRaw) : toNumber(bsRaw);
      if (!Number.isInteger(n) || n < 1) throw new LmEvalError(`batch_size=${String(bsRaw)} must be a positive integer.`);
      batchSize = n;
    }
  }
  if (chat && batchSize !== 1) {
    warn(`${backend} sends one conversation per request; batch_size forced to 1.`);
    batchSize = 1;
  }

  let header: Record<string, string> | null = null;
  const hv = args.header;
  if (hv !== undefined && hv !== null) {
    let parsed: unknown = hv;
    if (typeof hv === 'string') {
      try {
        parsed = JSON.parse(hv);
      } catch {
        throw new LmEvalError('--model_args header must be a JSON object of header names to values.');
      }
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new LmEvalError('--model_args header must be a JSON object of header names to values.');
    }
    header = Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
  }

  const scoring = (str('scoring') ?? 'auto') as ScoringChoice;
  if (!['auto', 'echo', 'prompt_logprobs', 'forced'].includes(scoring)) {
    throw new LmEvalError(`--model_args scoring=${scoring} is not supported.`, 'Use auto, prompt_logprobs (vLLM), echo, or forced (llama.cpp: one logit_bias request per continuation token).');
  }

  const openai = backend.startsWith('openai-');
  const apiKey = env.OPENAI_API_KEY ?? '';
  if (openai && !apiKey && header === null) {
    throw new LmEvalError(`${backend} needs an API key: set the OPENAI_API_KEY environment variable.`);
  }
  if (openai && !model) throw new LmEvalError(`${backend} needs model=<name> in --model_args.`);

  const customPrefix = args.custom_prefix_token_id;
  return {
    backend,
    model,
    baseUrl,
    tokenizerBackend,
    tokenizer: str('tokenizer'),
    tokenizedRequests,
    numConcurrent: int('num_concurrent', 1, 1),
    maxRetries: int('max_retries', 3, 1),
    timeoutMs: num('timeout', 300) * 1000,
    batchSize,
    maxLength: int('max_length', 2048, 2),
    maxGenToks: int('max_gen_toks', 256, 1),
    seed: int('seed', 1234),
    addBosToken: bool('add_bos_token', false),
    addBosTokenGiven: args.add_bos_token !== undefined && args.add_bos_token !== null,
    customPrefixTokenId: customPrefix === undefined || customPrefix === null ? null : int('custom_prefix_token_id', 0),
    verifyCertificate: bool('verify_certificate', true),
    caCertPath: str('ca_cert_path'),
    header,
    eosString: str('eos_string'),
    thinkEndToken: str('think_end_token'),
    scoring,
    apiKey,
    authToken: str('auth_token'),
  };
}

/** The response-cache identity: everything that changes answers, never the key or headers. */
export function configIdentity(c: ApiModelConfig): Record<string, unknown> {
  return {
    backend: c.backend,
    model: c.model,
    base_url: c.baseUrl,
    tokenizer_backend: c.tokenizerBackend,
    tokenizer: c.tokenizer,
    tokenized_requests: c.tokenizedRequests,
    max_length: c.maxLength,
    max_gen_toks: c.maxGenToks,
    seed: c.seed,
    add_bos_token: c.addBosToken,
    custom_prefix_token_id: c.customPrefixTokenId,
    eos_string: c.eosString,
    think_end_token: c.thinkEndToken,
  };
}
