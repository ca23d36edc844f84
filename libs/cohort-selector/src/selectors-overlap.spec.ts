import { selectorsOverlap } from './cohort-selector';

describe('selectorsOverlap', () => {
  it('keeps apart selectors that name different values of one field', () => {
    expect(selectorsOverlap({ tenantId: 'a', role: 'pricing' }, { tenantId: 'a', role: 'service' })).toBe(
      false,
    );
    expect(selectorsOverlap({ tenantId: 'a' }, { tenantId: 'b' })).toBe(false);
  });

  it('finds an overlap when one selector leaves a field open', () => {
    expect(selectorsOverlap({ tenantId: 'a' }, { tenantId: 'a', role: 'pricing' })).toBe(true);
  });

  it('compares actions as literals and globs', () => {
    expect(selectorsOverlap({ action: 'pricing.set_price' }, { action: 'pricing.set_price' })).toBe(true);
    expect(selectorsOverlap({ action: 'pricing.set_price' }, { action: 'service.send_message' })).toBe(false);
    expect(selectorsOverlap({ action: 'pricing.*' }, { action: 'pricing.set_price' })).toBe(true);
    expect(selectorsOverlap({ action: 'service.*' }, { action: 'pricing.set_price' })).toBe(false);
    expect(selectorsOverlap({ action: 'pricing.*' }, { action: 'pricing.set_*' })).toBe(true);
    expect(selectorsOverlap({ action: 'pricing.*' }, { action: 'service.*' })).toBe(false);
  });
});
