/** How the console shows a cost: dollars when priced, "unknown" when not — never a made-up $0. */
export interface CostGroupView {
  group: string;
  usd: number | null;
  complete: boolean;
  unknownModels: (string | null)[];
  unpricedCalls: number;
  calls: number;
}

export function costLabel(g: Pick<CostGroupView, 'usd' | 'complete'>): string {
  if (g.usd === null) return 'unknown';
  const dollars = g.usd < 0.01 && g.usd > 0 ? `$${g.usd.toFixed(4)}` : `$${g.usd.toFixed(2)}`;
  return g.complete ? dollars : `≥ ${dollars}`;
}

export function unknownNote(g: Pick<CostGroupView, 'unknownModels' | 'unpricedCalls'>): string {
  if (!g.unpricedCalls) return '';
  const models = g.unknownModels.map((m) => m ?? '(no model name)').join(', ');
  return `${g.unpricedCalls} call${g.unpricedCalls === 1 ? '' : 's'} not priced: ${models}`;
}
