import { missingScope } from './agent-scopes';

const intent = (action: string, params: Record<string, unknown> = {}, dataClasses: string[] = []) => ({
  action,
  params,
  dataUsed: dataClasses.length ? [{ source: 'crm', dataClasses }] : [],
});

describe('missingScope', () => {
  it('falls back to the role default: a pricing agent may price, not refund', () => {
    expect(missingScope({ role: 'pricing' }, intent('pricing.set_price'))).toBeNull();
    expect(missingScope({ role: 'pricing' }, intent('service.issue_refund'))).toBe(
      'action:service.issue_refund',
    );
  });
  it('denies by default for agents without a role scope', () => {
    expect(missingScope({ role: 'other' }, intent('shopping.recommend'))).toBe('action:shopping.recommend');
  });
  it('checks data classes and value limits of explicit scopes', () => {
    const scopes = {
      actions: ['service.*'],
      dataClasses: ['order'],
      limits: [{ action: 'service.issue_refund', field: 'amount', max: 500 }],
    };
    expect(
      missingScope({ role: 'service', scopes }, intent('service.issue_refund', { amount: 200 }, ['order'])),
    ).toBeNull();
    expect(missingScope({ role: 'service', scopes }, intent('service.issue_refund', { amount: 900 }))).toBe(
      'limit:service.issue_refund.amount<=500',
    );
    expect(
      missingScope({ role: 'service', scopes }, intent('service.send_message', {}, ['payment_card'])),
    ).toBe('data:payment_card');
  });
});
