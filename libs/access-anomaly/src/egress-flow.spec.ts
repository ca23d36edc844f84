import {
  allowedDestinationsSetting,
  decodeFlowHistory,
  encodeFlowHistory,
  pendingEgressOf,
} from './egress-flow';
import { AccessStep } from './flow-rules';

describe('pendingEgressOf', () => {
  it('makes an intent naming params.destination an egress carrying what it declared it used', () => {
    expect(
      pendingEgressOf({
        action: 'service.send_message',
        params: { destination: ' paste.evil.example ' },
        dataUsed: [
          { dataClasses: ['customer.pii', 'order'], records: 3 },
          { dataClasses: ['customer.pii'], records: 2 },
        ],
      }),
    ).toEqual({
      destination: 'paste.evil.example',
      dataClasses: ['customer.pii', 'order'],
      records: 5,
      action: 'service.send_message',
    });
  });

  it('is no egress without a destination (or with one that is not text)', () => {
    const base = { action: 'service.send_message', dataUsed: [] };
    expect(pendingEgressOf({ ...base, params: { recipientEmail: 'a@b.example' } })).toBeUndefined();
    expect(pendingEgressOf({ ...base, params: { destination: 42 } })).toBeUndefined();
    expect(pendingEgressOf({ ...base, params: { destination: '  ' } })).toBeUndefined();
  });
});

describe('the stored flow history', () => {
  const step: AccessStep = {
    kind: 'read',
    at: 1,
    source: 'crm',
    dataClasses: ['customer.pii'],
    records: 2,
    destination: '',
    action: '',
  };
  it('round-trips, and a missing key is an empty history', () => {
    expect(decodeFlowHistory(encodeFlowHistory([step]))).toEqual([step]);
    expect(decodeFlowHistory(null)).toEqual([]);
  });
  it('refuses a value it cannot read rather than calling it empty', () => {
    expect(() => decodeFlowHistory('{"v":2,"steps":[]}')).toThrow(/not version 1/);
    expect(() => decodeFlowHistory('nope')).toThrow(/not JSON/);
  });
});

describe('allowedDestinationsSetting', () => {
  it('reads the JSON tenant lists and names a bad value', () => {
    expect(allowedDestinationsSetting.parse('{"maison":["mail.maison.example"]}')).toEqual({
      maison: ['mail.maison.example'],
    });
    expect(allowedDestinationsSetting.parse(undefined)).toEqual({});
    expect(allowedDestinationsSetting.safeParse('[1]').success).toBe(false);
  });
});
