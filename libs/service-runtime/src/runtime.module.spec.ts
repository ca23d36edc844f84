import { eventSource } from '@agentops/contracts';
import { Provider } from '@nestjs/common';
import { ServiceRuntimeModule, RuntimeParts } from './runtime.module';
import { EVENT_SOURCE } from './tokens';

describe('ServiceRuntimeModule', () => {
  it("derives the event source from the blueprint's name, once for the whole service", () => {
    const parts = {
      service: 'guardrail',
      config: {},
      messaging: { publisher: {} },
    } as unknown as RuntimeParts;
    const providers = ServiceRuntimeModule.forRoot(parts).providers as Provider[];
    const source = providers.find(
      (p) => typeof p === 'object' && 'provide' in p && p.provide === EVENT_SOURCE,
    );
    expect(source).toEqual({ provide: EVENT_SOURCE, useValue: 'agentops/guardrail' });
    expect(eventSource('guardrail')).toBe('agentops/guardrail');
  });
});
