import { AttributeValue, Attributes, OtlpSpan } from './otlp-spans';

/**
 * The one version of the OpenTelemetry GenAI semantic conventions spans are stored in: the
 * incubating `gen_ai.*` names of `@opentelemetry/semantic-conventions` 1.45.0 (the conventions are
 * still "Development", so they are pinned, not followed: genai-conventions.spec.ts checks every name
 * here against that package). Spans in an older OTel version, in OpenLLMetry's (`llm.*`,
 * `traceloop.*`) or in OpenInference's (`llm.token_count.*`, `openinference.span.kind`) names are
 * rewritten onto these; keys nobody maps are kept as they came.
 */
export const GENAI_SEMCONV_VERSION = '1.45.0';

export const GenAi = {
  operationName: 'gen_ai.operation.name',
  providerName: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  responseModel: 'gen_ai.response.model',
  agentId: 'gen_ai.agent.id',
  agentName: 'gen_ai.agent.name',
  agentVersion: 'gen_ai.agent.version',
  toolName: 'gen_ai.tool.name',
  toolCallId: 'gen_ai.tool.call.id',
  conversationId: 'gen_ai.conversation.id',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
  cacheReadInputTokens: 'gen_ai.usage.cache_read.input_tokens',
  cacheCreationInputTokens: 'gen_ai.usage.cache_creation.input_tokens',
  reasoningOutputTokens: 'gen_ai.usage.reasoning.output_tokens',
  inputMessages: 'gen_ai.input.messages',
  outputMessages: 'gen_ai.output.messages',
  systemInstructions: 'gen_ai.system_instructions',
  toolCallArguments: 'gen_ai.tool.call.arguments',
  toolCallResult: 'gen_ai.tool.call.result',
} as const;

/** `gen_ai.operation.name` values of the pinned version that the mappings produce. */
export const GenAiOperations = {
  chat: 'chat',
  textCompletion: 'text_completion',
  embeddings: 'embeddings',
  invokeAgent: 'invoke_agent',
  executeTool: 'execute_tool',
} as const;

/** Which convention a span's GenAI attributes came in (the first that matched). */
export type GenAiConvention = 'otel-genai' | 'openllmetry' | 'openinference' | 'none';

/** Plain renames onto the pinned names: the pinned key wins when both are present. */
const RENAMES: Record<string, string> = {
  // Older OTel GenAI names (deprecated in the pinned version).
  'gen_ai.system': GenAi.providerName,
  'gen_ai.usage.prompt_tokens': GenAi.inputTokens,
  'gen_ai.usage.completion_tokens': GenAi.outputTokens,
  // OpenLLMetry (traceloop).
  'gen_ai.usage.cache_read_input_tokens': GenAi.cacheReadInputTokens,
  'gen_ai.usage.cache_creation_input_tokens': GenAi.cacheCreationInputTokens,
  'gen_ai.usage.reasoning_tokens': GenAi.reasoningOutputTokens,
  'llm.usage.reasoning_tokens': GenAi.reasoningOutputTokens,
  // OpenInference.
  'llm.model_name': GenAi.requestModel,
  'llm.provider': GenAi.providerName,
  'llm.system': GenAi.providerName,
  'llm.token_count.prompt': GenAi.inputTokens,
  'llm.token_count.completion': GenAi.outputTokens,
  'llm.token_count.prompt_details.cache_read': GenAi.cacheReadInputTokens,
  'llm.token_count.prompt_details.cache_write': GenAi.cacheCreationInputTokens,
  'llm.token_count.completion_details.reasoning': GenAi.reasoningOutputTokens,
  'tool.name': GenAi.toolName,
  'tool_call.id': GenAi.toolCallId,
  'agent.name': GenAi.agentName,
  'session.id': GenAi.conversationId,
};

/** OpenLLMetry's `llm.request.type` → operation. */
const OPENLLMETRY_REQUEST_TYPES: Record<string, string> = {
  chat: GenAiOperations.chat,
  completion: GenAiOperations.textCompletion,
  embedding: GenAiOperations.embeddings,
};

/** OpenInference's `openinference.span.kind` → operation (CHAIN, RETRIEVER… have none). */
const OPENINFERENCE_KINDS: Record<string, string> = {
  LLM: GenAiOperations.chat,
  EMBEDDING: GenAiOperations.embeddings,
  TOOL: GenAiOperations.executeTool,
  AGENT: GenAiOperations.invokeAgent,
};

/** OpenLLMetry's `traceloop.span.kind` → operation (workflow and task have none). */
const TRACELOOP_KINDS: Record<string, string> = {
  agent: GenAiOperations.invokeAgent,
  tool: GenAiOperations.executeTool,
};

/**
 * Message content, in any of the three conventions: prompts, completions, tool arguments and
 * results, retrieved documents. Matched on the whole key or on its prefix up to a `.`.
 */
const CONTENT_KEYS = [
  GenAi.inputMessages,
  GenAi.outputMessages,
  GenAi.systemInstructions,
  GenAi.toolCallArguments,
  GenAi.toolCallResult,
  'gen_ai.prompt',
  'gen_ai.completion',
  'gen_ai.retrieval.documents',
  'gen_ai.retrieval.query.text',
  'llm.prompts',
  'llm.input_messages',
  'llm.output_messages',
  'traceloop.entity.input',
  'traceloop.entity.output',
  'input.value',
  'output.value',
  'tool_call.function.arguments',
  'retrieval.documents',
  'embedding.embeddings',
  'message.content',
];

/** Events that exist to carry content (the OTel GenAI events), dropped whole with it. */
const CONTENT_EVENTS = new Set([
  'gen_ai.system.message',
  'gen_ai.user.message',
  'gen_ai.assistant.message',
  'gen_ai.tool.message',
  'gen_ai.choice',
  'gen_ai.content.prompt',
  'gen_ai.content.completion',
  'gen_ai.client.inference.operation.details',
]);

export function isContentKey(key: string): boolean {
  return CONTENT_KEYS.some((c) => key === c || (key.startsWith(c) && key[c.length] === '.'));
}

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`). */
  cachedInputTokens?: number;
  /** Input tokens written to the cache. */
  cacheCreationInputTokens?: number;
  /** Output tokens spent reasoning (part of `outputTokens`). */
  reasoningTokens?: number;
}

/** What the platform reads of a GenAI span, in the pinned names. */
export interface GenAiSummary {
  convention: GenAiConvention;
  operation?: string;
  provider?: string;
  /** The response's model when given (what was billed), else the request's. */
  model?: string;
  agentName?: string;
  agentVersion?: string;
  toolName?: string;
  usage: TokenUsage;
}

export interface NormalizedAttributes {
  attributes: Attributes;
  genAi: GenAiSummary;
  /** Content keys removed (capture off). */
  contentDropped: number;
}

/**
 * Rewrites one span's attributes onto the pinned GenAI names and, unless `captureContent`, drops
 * every message-content attribute. Pure.
 */
export function normalizeGenAiAttributes(source: Attributes, captureContent: boolean): NormalizedAttributes {
  const convention = conventionOf(source);
  const out: Attributes = {};
  let contentDropped = 0;
  for (const [key, value] of Object.entries(source)) {
    if (!captureContent && isContentKey(key)) {
      contentDropped++;
      continue;
    }
    const target = RENAMES[key];
    if (target) {
      if (!(target in source)) out[target] = value;
      continue;
    }
    out[key] = value;
  }
  const operation =
    str(source[GenAi.operationName]) ??
    OPENINFERENCE_KINDS[str(source['openinference.span.kind']) ?? ''] ??
    TRACELOOP_KINDS[str(source['traceloop.span.kind']) ?? ''] ??
    OPENLLMETRY_REQUEST_TYPES[str(source['llm.request.type']) ?? ''];
  if (operation && !(GenAi.operationName in out)) out[GenAi.operationName] = operation;
  // OpenLLMetry names the agent or tool of an agent/tool span in traceloop.entity.name.
  const entity = str(source['traceloop.entity.name']);
  if (entity && operation === GenAiOperations.invokeAgent && !(GenAi.agentName in out))
    out[GenAi.agentName] = entity;
  if (entity && operation === GenAiOperations.executeTool && !(GenAi.toolName in out))
    out[GenAi.toolName] = entity;

  const usage: TokenUsage = {};
  setCount(usage, 'inputTokens', out[GenAi.inputTokens]);
  setCount(usage, 'outputTokens', out[GenAi.outputTokens]);
  setCount(usage, 'cachedInputTokens', out[GenAi.cacheReadInputTokens]);
  setCount(usage, 'cacheCreationInputTokens', out[GenAi.cacheCreationInputTokens]);
  setCount(usage, 'reasoningTokens', out[GenAi.reasoningOutputTokens]);
  return {
    attributes: out,
    contentDropped,
    genAi: {
      convention,
      operation,
      provider: str(out[GenAi.providerName]),
      model: str(out[GenAi.responseModel]) ?? str(out[GenAi.requestModel]),
      agentName: str(out[GenAi.agentName]),
      agentVersion: str(out[GenAi.agentVersion]),
      toolName: str(out[GenAi.toolName]),
      usage,
    },
  };
}

/** Keeps a span's events, less the content-carrying ones and content keys unless `captureContent`. */
export function normalizeEvents(events: OtlpSpan['events'], captureContent: boolean): OtlpSpan['events'] {
  if (captureContent) return events;
  return events
    .filter((e) => !CONTENT_EVENTS.has(e.name))
    .map((e) => ({
      ...e,
      attributes: Object.fromEntries(Object.entries(e.attributes).filter(([k]) => !isContentKey(k))),
    }));
}

function conventionOf(a: Attributes): GenAiConvention {
  if ('openinference.span.kind' in a || Object.keys(a).some((k) => k.startsWith('llm.token_count.')))
    return 'openinference';
  if (Object.keys(a).some((k) => k.startsWith('traceloop.') || k.startsWith('llm.'))) return 'openllmetry';
  if (Object.keys(a).some((k) => k.startsWith('gen_ai.'))) return 'otel-genai';
  return 'none';
}

function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function setCount(usage: TokenUsage, key: keyof TokenUsage, v: AttributeValue | undefined): void {
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) usage[key] = n;
}
