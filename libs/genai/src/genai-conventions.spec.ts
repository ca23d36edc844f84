import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  GENAI_SEMCONV_VERSION,
  GenAi,
  GenAiOperations,
  isContentKey,
  normalizeGenAiAttributes,
} from './genai-conventions';

// The subpath export is not visible to the repo's `moduleResolution: node` type-check; jest resolves it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const incubating = require('@opentelemetry/semantic-conventions/incubating') as Record<string, string>;
const root = join(__dirname, '../../..');
const installed = JSON.parse(
  readFileSync(join(root, 'node_modules/@opentelemetry/semantic-conventions/package.json'), 'utf8'),
) as { version: string };
const declared = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>;
};

describe('GenAI conventions are pinned to one version of @opentelemetry/semantic-conventions', () => {
  it('is the version installed (a bump of the package is a deliberate change here)', () => {
    expect(declared.devDependencies['@opentelemetry/semantic-conventions']).toBe(GENAI_SEMCONV_VERSION);
    expect(installed.version).toBe(GENAI_SEMCONV_VERSION);
  });

  it.each(Object.entries(GenAi))('%s is a gen_ai attribute name of the pinned version', (_, name) => {
    const constant = `ATTR_${name.replace(/\./g, '_').toUpperCase()}`;
    expect(incubating[constant]).toBe(name);
  });

  it.each(Object.values(GenAiOperations))('operation %s is a value of gen_ai.operation.name', (op) => {
    expect(Object.values(incubating)).toContain(op);
  });
});

describe('normalizeGenAiAttributes', () => {
  it('keeps keys no convention names, and the pinned name wins over an older alias', () => {
    const { attributes } = normalizeGenAiAttributes(
      { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.prompt_tokens': 99, 'vendor.custom': 'x' },
      false,
    );
    expect(attributes).toEqual({ 'gen_ai.usage.input_tokens': 10, 'vendor.custom': 'x' });
  });

  it('drops content unless asked to capture it', () => {
    const source = {
      'gen_ai.input.messages': '[…]',
      'gen_ai.prompt.0.content': 'hi',
      'gen_ai.request.model': 'm',
    };
    expect(normalizeGenAiAttributes(source, false)).toMatchObject({
      attributes: { 'gen_ai.request.model': 'm' },
      contentDropped: 2,
    });
    expect(normalizeGenAiAttributes(source, true).attributes).toEqual(source);
  });

  it('matches content keys on whole dotted segments only', () => {
    expect(isContentKey('gen_ai.prompt')).toBe(true);
    expect(isContentKey('gen_ai.prompt.3.content')).toBe(true);
    expect(isContentKey('gen_ai.prompt.name')).toBe(true);
    expect(isContentKey('gen_ai.prompt_cache_key')).toBe(false);
    expect(isContentKey('input.mime_type')).toBe(false);
  });

  it('reads token counts sent as strings, and ignores negative or fractional ones', () => {
    const { genAi } = normalizeGenAiAttributes(
      {
        'gen_ai.usage.input_tokens': '12',
        'gen_ai.usage.output_tokens': -1,
        'gen_ai.usage.reasoning.output_tokens': 1.5,
      },
      false,
    );
    expect(genAi.usage).toEqual({ inputTokens: 12 });
  });
});
