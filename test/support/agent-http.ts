import { IntentProposal } from '@agentops/contracts';

export interface HttpResult<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function postJson<T = Record<string, unknown>>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export async function getJson<T = Record<string, unknown>>(
  url: string,
  headers: Record<string, string> = {},
): Promise<HttpResult<T>> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: (await res.json()) as T };
}

export function priceIntent(sku: string, price: number): IntentProposal {
  return {
    action: 'pricing.set_price',
    target: { type: 'sku', id: sku },
    params: { sku, price, currency: 'EUR' },
    confidence: 0.92,
    justification: 'competitor price moved; elasticity model suggests a change',
    dataUsed: [{ source: 'catalog', ref: sku, dataClasses: ['product'] }],
  };
}
