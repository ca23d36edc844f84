import { AgentOpsClient } from './client';
import { knowledgeCitation } from './types';

describe('AgentOpsClient knowledge reads', () => {
  it('reads a product’s facts with the agent key and cites the version it read', async () => {
    const calls: { url: string; headers: Record<string, string> }[] = [];
    const fetch = (async (url: string, init: { headers: Record<string, string> }) => {
      calls.push({ url, headers: init.headers });
      return new Response(
        JSON.stringify({
          tenantId: 't',
          kbVersion: 7,
          product: { sku: 'MD BAG/1', name: 'Tote' },
          freshness: {},
        }),
        { status: 200, headers: { 'content-type': 'application/json' } },
      );
    }) as unknown as typeof globalThis.fetch;
    const client = new AgentOpsClient({ baseUrl: 'http://ingest', apiKey: 'k', fetch });
    const facts = await client.productFacts('MD BAG/1');
    expect(calls[0].url).toBe('http://ingest/v1/knowledge/products/MD%20BAG%2F1');
    expect(calls[0].headers['x-api-key']).toBe('k');
    expect(knowledgeCitation(facts)).toEqual({ source: 'knowledge', kbVersion: 7, dataClasses: ['product'] });
    await client.approvedCopy({ campaign: 'winter' });
    expect(calls[1].url).toBe('http://ingest/v1/knowledge/copy?campaign=winter');
  });
});
