/**
 * `--model_args` of the TemplateAPI family (lm_eval/models/api_models.py `TemplateAPI.__init__`), validated and defaulted per
 * backend. Values arrive typed (bool/int/float/string); unknown keys are refused with the list of
 * accepted ones. The API key is read from the environment here and never leaves this object except
 * as an HTTP header.
 */
import { createLogger, defineModelArgs, LmEvalError, modelArgError, readModelArgs, type ModelArgs, type ModelFactoryOptions } from '@lm-eval/core/light';

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
  /** Forced scoring: llama-server's `cache_prompt` (False: stable near-ties, each step recomputes its prefix). */
  cachePrompt: boolean;
  /** Bearer token; never part of identity, results, logs or errors. */
  apiKey: string;
  /** Bearer token for the remote tokenizer endpoints (`auth_token`; default: the API key). */
  authToken: string | null;
  /** `--strict`: a model= the server does not list is an error, not a warning. */
  strict: boolean;
}

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

const log = createLogger('openai');

const TOKENIZER_BACKENDS = ['huggingface', 'tiktoken', 'remote', 'none', 'auto'];

function defaultTokenizerBackend(backend: ApiBackendName): TokenizerBackend {
  return backend === 'local-completions' || backend === 'gguf' ? 'auto' : backend === 'openai-completions' ? 'tiktoken' : 'none';
}

/** The `--model_args` schema of one TemplateAPI backend (lm-eval `TemplateAPI.__init__` names and defaults). */
export function apiModelArgs(backend: ApiBackendName) {
  const chat = isChatBackend(backend);
  const url = DEFAULT_URL[backend];
  return defineModelArgs(backend, [
    { name: 'model', type: 'str', description: 'model name sent as "model" (required for openai-*).' },
    { name: 'pretrained', type: 'str', description: 'alias of model.' },
    {
      name: 'base_url',
      type: 'str',
      ...(url ? { default: url } : {}),
      defaultText: 'required for local-* and gguf; the OpenAI endpoint for openai-*',
      description: `the endpoint URL POSTed to, e.g. http://127.0.0.1:8000/v1/${chat ? 'chat/completions' : 'completions'}; a server root or /v1 is completed to it (gguf: the llama-server root).`,
    },
    { name: 'tokenizer', type: 'str', defaultText: 'model', description: 'tokenizer id or path (default: model).' },
    {
      name: 'tokenizer_backend',
      type: 'str',
      default: defaultTokenizerBackend(backend),
      defaultText: 'auto (local-completions, gguf), tiktoken (openai-completions), none (chat)',
      description: 'huggingface, tiktoken, remote, none (None/null = none), or auto (local-completions: the server tokenizer when offered).',
    },
    { name: 'tokenized_requests', type: 'bool', default: !chat, defaultText: 'True (completions), False (chat)', description: 'send token ids instead of text (forced to False with tokenizer_backend=none).' },
    { name: 'num_concurrent', type: 'int', min: 1, default: 1, description: 'concurrent requests (adaptive window up to this).' },
    { name: 'max_retries', type: 'int', min: 1, default: 3, description: 'attempts per request (total, not extra).' },
    { name: 'timeout', type: 'float', default: 300, description: 'seconds per HTTP request (> 0).' },
    { name: 'batch_size', type: 'batch_size', default: 1, description: 'requests per HTTP call (completions; chat always 1; auto → 1); default: --batch_size.' },
    { name: 'max_length', type: 'int', min: 2, default: 2048, description: 'context length (one slot is kept for the generated token).' },
    { name: 'max_gen_toks', type: 'int', min: 1, default: 256, description: 'default generation length.' },
    { name: 'seed', type: 'int', min: 0, default: 1234, description: 'sent as "seed".' },
    { name: 'add_bos_token', type: 'bool', default: false, description: "prepend the BOS token to tokenized requests (gguf, when not given: the server tokenizer's rule)." },
    { name: 'custom_prefix_token_id', type: 'int', min: 0, description: 'prefix token for empty contexts and rolling windows (default: the EOS id).' },
    { name: 'verify_certificate', type: 'bool', default: true, description: 'verify the server TLS certificate.' },
    { name: 'ca_cert_path', type: 'str', description: 'a CA bundle (PEM) to verify the server with.' },
    { name: 'auth_token', type: 'str', defaultText: 'the API key', description: 'bearer token for the remote tokenizer endpoints.' },
    { name: 'header', type: 'json', description: 'HTTP headers as a JSON object; replaces the default headers entirely.' },
    { name: 'eos_string', type: 'str', description: 'end-of-sequence text added to the stop strings.' },
    { name: 'think_end_token', type: 'str', description: 'text after which a reasoning model\'s answer starts (everything before it is dropped).' },
    { name: 'truncate', type: 'bool', default: false, description: 'accepted for compatibility; not used.' },
    { name: 'trust_remote_code', type: 'bool', default: false, description: 'accepted for compatibility; not used.' },
    { name: 'revision', type: 'str', default: 'main', description: 'accepted for compatibility; not used.' },
    { name: 'use_fast_tokenizer', type: 'bool', default: true, description: 'accepted for compatibility; not used.' },
    { name: 'max_images', type: 'int', default: 999, description: 'accepted for compatibility; not used.' },
    {
      name: 'scoring',
      type: 'str',
      default: 'auto',
      choices: ['auto', 'echo', 'prompt_logprobs', 'forced'],
      description: 'loglikelihood route: auto = vLLM prompt_logprobs when offered, else echo, else forced; forced = llama.cpp, one logit_bias request per continuation token.',
    },
    {
      name: 'cache_prompt',
      type: 'bool',
      default: true,
      description: "forced scoring: llama-server's cache_prompt; False makes near-tie is_greedy flags reproducible at the cost of recomputing each prefix.",
    },
  ] as const);
}

/** Arguments every TemplateAPI backend accepts (lm-eval names). */
export const ACCEPTED_ARGS = apiModelArgs('local-completions').args.map((a) => a.name);

export function parseApiModelArgs(
  backend: ApiBackendName,
  args: ModelArgs,
  options: ModelFactoryOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ApiModelConfig {
  const chat = isChatBackend(backend);
  // an explicit None means "no tokenizer" (lm-eval's tokenizer_backend=None)
  const explicitNone = args.tokenizer_backend === null || (typeof args.tokenizer_backend === 'string' && /^(none|null)$/i.test(args.tokenizer_backend.trim()));
  const v = readModelArgs(apiModelArgs(backend), explicitNone ? { ...args, tokenizer_backend: 'none' } : args, { batch_size: options.batchSize });
  if (v.base_url === null) {
    throw new LmEvalError(
      backend === 'gguf'
        ? '--model gguf needs model_args base_url: the llama-server root, e.g. base_url=http://127.0.0.1:8080 (start it with: llama-server -m model.gguf --port 8080).'
        : `--model ${backend} needs model_args base_url: the full endpoint URL, e.g. base_url=http://127.0.0.1:8000/v1/${chat ? 'chat/completions' : 'completions'}.`,
      'Add base_url=<value> to --model_args.',
    );
  }
  try {
    const u = new URL(v.base_url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw modelArgError(backend, 'base_url', v.base_url, 'an http(s) URL');
  }
  const completed = completeBaseUrl(backend, v.base_url);
  if (completed.notice) log.warn(completed.notice);
  const baseUrl = completed.url;

  const tokenizerBackend = v.tokenizer_backend.toLowerCase() as TokenizerBackend;
  if (!TOKENIZER_BACKENDS.includes(tokenizerBackend)) {
    throw modelArgError(backend, 'tokenizer_backend', args.tokenizer_backend, 'one of huggingface, tiktoken, remote, none (or auto for local-completions)');
  }
  let tokenizedRequests = v.tokenized_requests;
  if (tokenizerBackend === 'none' && tokenizedRequests) {
    if (args.tokenized_requests !== undefined) log.warn('tokenizer_backend=none: tokenized_requests forced to False.');
    tokenizedRequests = false;
  }
  if (!(v.timeout > 0)) throw modelArgError(backend, 'timeout', args.timeout, 'a positive number');

  let batchSize = 1;
  if (typeof v.batch_size === 'string') log.warn('batch_size=auto is not supported for API models; using 1.');
  else batchSize = v.batch_size;
  if (chat && batchSize !== 1) {
    log.warn(`${backend} sends one conversation per request; batch_size forced to 1.`);
    batchSize = 1;
  }
  const header = v.header === null ? null : Object.fromEntries(Object.entries(v.header).map(([k, x]) => [k, String(x)]));

  const model = v.model ?? v.pretrained;
  const openai = backend.startsWith('openai-');
  const apiKey = env.OPENAI_API_KEY ?? '';
  if (openai && !apiKey && header === null) {
    throw new LmEvalError(`${backend} needs an API key: set the OPENAI_API_KEY environment variable.`);
  }
  if (openai && !model) throw new LmEvalError(`--model ${backend} needs model_args model=<name>.`, 'Add model=<value> to --model_args.');

  return {
    backend,
    model,
    baseUrl,
    tokenizerBackend,
    tokenizer: v.tokenizer,
    tokenizedRequests,
    numConcurrent: v.num_concurrent,
    maxRetries: v.max_retries,
    timeoutMs: v.timeout * 1000,
    batchSize,
    maxLength: v.max_length,
    maxGenToks: v.max_gen_toks,
    seed: v.seed,
    addBosToken: v.add_bos_token,
    addBosTokenGiven: args.add_bos_token !== undefined && args.add_bos_token !== null,
    customPrefixTokenId: v.custom_prefix_token_id,
    verifyCertificate: v.verify_certificate,
    caCertPath: v.ca_cert_path,
    header,
    eosString: v.eos_string,
    thinkEndToken: v.think_end_token,
    scoring: v.scoring as ScoringChoice,
    cachePrompt: v.cache_prompt,
    apiKey,
    authToken: v.auth_token,
    strict: options.strict === true,
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

export type AnthropicBackendName = 'anthropic-chat-completions' | 'anthropic-completions';

const ANTHROPIC_VERSION = '2023-06-01';

/** lm-eval's model-arg names and defaults for the two backends. */
export function anthropicModelArgs(backend: AnthropicBackendName) {
  const chat = backend === 'anthropic-chat-completions';
  return defineModelArgs(backend, [
    { name: 'model', type: 'str', ...(chat ? {} : { default: 'claude-2.0' }), description: chat ? 'model name (required), e.g. claude-3-5-haiku-latest.' : 'model name (lm-eval default claude-2.0).' },
    { name: 'base_url', type: 'str', default: chat ? 'https://api.anthropic.com/v1/messages' : 'https://api.anthropic.com/v1/complete', description: 'the endpoint URL POSTed to.' },
    { name: 'max_tokens_to_sample', type: 'int', min: 1, default: 256, description: 'anthropic-completions: tokens to generate (lm-eval name).' },
    { name: 'max_gen_toks', type: 'int', min: 1, default: 256, description: 'anthropic-chat-completions: default max_tokens.' },
    { name: 'temperature', type: 'float', default: 0, description: 'sampling temperature (lm-eval default 0).' },
    { name: 'num_concurrent', type: 'int', min: 1, default: 1, description: 'concurrent requests (adaptive window up to this).' },
    { name: 'max_retries', type: 'int', min: 1, default: 3, description: 'attempts per request (total, not extra).' },
    { name: 'timeout', type: 'float', default: 300, description: 'seconds per HTTP request (> 0).' },
    { name: 'anthropic_version', type: 'str', default: ANTHROPIC_VERSION, description: 'the anthropic-version header (ours).' },
  ] as const);
}

