import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeOtlpJson } from './otlp-json';
import { IntakeSpan, toIntakeSpan } from './span-intake';

/**
 * Contract tests: OTLP JSON payloads in the shape three instrumentation families export (OpenLLMetry
 * / traceloop, Arize OpenInference, the OpenTelemetry GenAI conventions), accepted and mapped onto
 * the pinned GenAI names, content dropped by default, personal data redacted either way.
 */
function golden(name: string, captureContent = false): IntakeSpan[] {
  const body: unknown = JSON.parse(readFileSync(join(__dirname, 'golden', `${name}.json`), 'utf8'));
  return decodeOtlpJson(body).map((s) => toIntakeSpan(s, { captureContent }));
}
const byName = (spans: IntakeSpan[], name: string) => spans.find((s) => s.name === name)!;
const allText = (spans: IntakeSpan[]) => JSON.stringify(spans);

describe('golden OTLP payload: OpenLLMetry (traceloop)', () => {
  const spans = golden('openllmetry');

  it('maps the LLM span onto gen_ai names: provider, models, usage with cache reads', () => {
    const chat = byName(spans, 'openai.chat');
    expect(chat.genAi).toEqual({
      convention: 'openllmetry',
      operation: 'chat',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      agentName: undefined,
      agentVersion: undefined,
      toolName: undefined,
      usage: { inputTokens: 1200, outputTokens: 310, cachedInputTokens: 1024 },
    });
    expect(chat.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.usage.input_tokens': 1200,
      'gen_ai.usage.output_tokens': 310,
      'gen_ai.usage.cache_read.input_tokens': 1024,
      'llm.usage.total_tokens': 1510,
      'gen_ai.request.temperature': 0.2,
    });
    expect(chat.attributes).not.toHaveProperty('gen_ai.system');
    expect(chat.attributes).not.toHaveProperty('gen_ai.usage.prompt_tokens');
  });

  it('names the agent and the tool from traceloop.span.kind and traceloop.entity.name', () => {
    expect(byName(spans, 'pricing_agent.agent').genAi).toMatchObject({
      operation: 'invoke_agent',
      agentName: 'pricing_agent',
    });
    expect(byName(spans, 'catalog_lookup.tool').genAi).toMatchObject({
      operation: 'execute_tool',
      toolName: 'catalog_lookup',
    });
  });

  it('links the span to the intent it names (agentops.intent.id)', () => {
    expect(byName(spans, 'pricing_agent.agent').intentId).toBe('0190f5c2-7a4e-7cc1-9a55-3a1f2b3c4d5e');
  });

  it('drops prompts, completions and entity input/output by default', () => {
    const text = allText(spans);
    for (const key of ['gen_ai.prompt.0.content', 'gen_ai.completion.0.content', 'traceloop.entity.input'])
      expect(text).not.toContain(key);
    expect(byName(spans, 'openai.chat').contentDropped).toBe(4);
  });

  it('with content captured, keeps it but redacts the email and the card number by data class', () => {
    const chat = byName(golden('openllmetry', true), 'openai.chat');
    expect(chat.attributes['gen_ai.prompt.0.content']).toBe(
      'Price A-1 for [redacted:email], card [redacted:card]',
    );
    expect(allText(golden('openllmetry', true))).not.toContain('jane@example.com');
  });
});

describe('golden OTLP payload: OpenInference (Arize Phoenix)', () => {
  const spans = golden('openinference');

  it('maps llm.token_count.* (reasoning included) and llm.model_name onto gen_ai names', () => {
    const llm = byName(spans, 'ChatCompletion');
    expect(llm.genAi).toMatchObject({
      convention: 'openinference',
      operation: 'chat',
      provider: 'openai',
      model: 'o3-mini',
      usage: { inputTokens: 800, outputTokens: 450, cachedInputTokens: 0, reasoningTokens: 320 },
    });
    expect(llm.attributes).toMatchObject({
      'gen_ai.request.model': 'o3-mini',
      'gen_ai.usage.reasoning.output_tokens': 320,
      'llm.token_count.total': 1250,
      'input.mime_type': 'application/json',
      'llm.invocation_parameters': '{"reasoning_effort":"low"}',
    });
    expect(llm.kind).toBe('internal');
    expect(llm.status.code).toBe('ok');
  });

  it('maps a TOOL span to execute_tool with its name', () => {
    expect(byName(spans, 'issue_refund').genAi).toMatchObject({
      operation: 'execute_tool',
      toolName: 'issue_refund',
    });
  });

  it('drops message content and redacts PII in fields that are not content (a named email field, a status message)', () => {
    const text = allText(spans);
    expect(text).not.toContain('+44 20 7946 0958');
    expect(text).not.toContain('llm.input_messages');
    expect(text).not.toContain('jo@example.org');
    const tool = byName(spans, 'issue_refund');
    expect(tool.attributes['customer_email']).toBe('redacted:email');
    expect(tool.status.message).toBe('refund refused for [redacted:email]');
    expect(tool.redactions).toBe(2);
  });
});

describe('golden OTLP payload: OpenTelemetry GenAI conventions', () => {
  const spans = golden('otel-genai');

  it('keeps the pinned names as they are: agent, chat with cache read and cache creation, tool', () => {
    expect(byName(spans, 'invoke_agent shopper').genAi).toMatchObject({
      convention: 'otel-genai',
      operation: 'invoke_agent',
      agentName: 'shopper',
      agentVersion: '2.1.0',
      provider: 'anthropic',
    });
    expect(byName(spans, 'chat claude-sonnet-4').genAi).toMatchObject({
      model: 'claude-sonnet-4',
      usage: { inputTokens: 2000, outputTokens: 500, cachedInputTokens: 1500, cacheCreationInputTokens: 200 },
    });
    expect(byName(spans, 'chat claude-sonnet-4').attributes['gen_ai.response.finish_reasons']).toEqual([
      'stop',
    ]);
    expect(byName(spans, 'execute_tool search_catalog').genAi.toolName).toBe('search_catalog');
  });

  it('drops content attributes and content events, keeps other events', () => {
    const chat = byName(spans, 'chat claude-sonnet-4');
    expect(chat.attributes).not.toHaveProperty('gen_ai.input.messages');
    expect(chat.events.map((e) => e.name)).toEqual(['exception']);
    expect(byName(spans, 'execute_tool search_catalog').attributes).not.toHaveProperty(
      'gen_ai.tool.call.arguments',
    );
    expect(allText(spans)).not.toContain('Baker Street');
  });

  it('with content captured, redacts the postal address inside the messages', () => {
    const chat = byName(golden('otel-genai', true), 'chat claude-sonnet-4');
    expect(String(chat.attributes['gen_ai.input.messages'])).toContain('[redacted:address]');
    expect(String(chat.attributes['gen_ai.input.messages'])).not.toContain('Baker Street');
  });
});
