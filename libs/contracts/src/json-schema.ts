import { z } from 'zod';
import { EnvelopeAttributes } from './envelope';
import { EventDefinitions } from './registry';

/** JSON Schema (draft-07, the dialect AsyncAPI 3 payloads assume) of each event's data, generated from the same zod definitions. */
export function eventJsonSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  for (const def of Object.values(EventDefinitions)) {
    out[def.type] = z.toJSONSchema(def.schema, { io: 'input', unrepresentable: 'any', target: 'draft-7' });
  }
  return out;
}

export function envelopeJsonSchema(): object {
  return z.toJSONSchema(EnvelopeAttributes, { io: 'input', target: 'draft-7' });
}
