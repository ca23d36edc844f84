import { dataClassGranted, dataClassWithin, missingScope } from './agent-scopes';

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

describe('data classes: one rule for guardrail, ingest and the access monitor', () => {
  it('treats a dotted class as within its parents only', () => {
    expect(dataClassWithin('customer.pii', 'customer')).toBe(true);
    expect(dataClassWithin('customer.pii.email', 'customer')).toBe(true);
    expect(dataClassWithin('customer', 'customer')).toBe(true);
    expect(dataClassWithin('customers', 'customer')).toBe(false);
    expect(dataClassWithin('customer', 'customer.pii')).toBe(false);
  });

  it('grants a class through itself or a parent, every class when the scopes list none', () => {
    expect(dataClassGranted({ dataClasses: ['customer'] }, 'customer.pii')).toBe(true);
    expect(dataClassGranted({ dataClasses: ['customer.orders'] }, 'customer.pii')).toBe(false);
    expect(dataClassGranted({ dataClasses: [] }, 'product')).toBe(false);
    expect(dataClassGranted({}, 'payment.card')).toBe(true);
  });

  it("lets an intent's dataUsed of customer.pii through a customer scope, as the access monitor does", () => {
    // The service role's default scopes grant `customer`.
    expect(
      missingScope({ role: 'service' }, intent('service.send_message', {}, ['customer.pii'])),
    ).toBeNull();
    expect(missingScope({ role: 'service' }, intent('service.send_message', {}, ['customers']))).toBe(
      'data:customers',
    );
    expect(missingScope({ role: 'pricing' }, intent('pricing.set_price', {}, ['customer.pii']))).toBe(
      'data:customer.pii',
    );
  });
});
