import {
  allowedDestinationsSetting,
  decodeFlowHistory,
  decodeFlowSteps,
  encodeFlowHistory,
  encodeFlowStep,
  mergeFlowSteps,
  pendingEgressOf,
} from './egress-flow';
import { AccessStep, accessStepOf } from './flow-rules';

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

describe('mergeFlowSteps', () => {
  const read = (at: number, dataClasses = ['customer.pii']) =>
    accessStepOf({ kind: 'read', source: 'crm', dataClasses, records: 3, subjectIds: [] }, at);

  it('keeps each step once whether the access history, the reported log or both hold it, oldest first', () => {
    const history = [read(1000), read(2000, ['order'])];
    // The log holds the history's last read again (an equal copy), a newer one and a late one.
    const reported = decodeFlowSteps([
      encodeFlowStep(read(2000, ['order'])),
      encodeFlowStep(read(3000)),
      encodeFlowStep(read(1500)),
    ]);
    expect(mergeFlowSteps(history, reported).map((s) => [s.at, s.dataClasses])).toEqual([
      [1000, ['customer.pii']],
      [1500, ['customer.pii']],
      [2000, ['order']],
      [3000, ['customer.pii']],
    ]);
  });

  it('keeps two reads at the same moment that differ', () => {
    expect(mergeFlowSteps([read(1000)], [read(1000, ['order'])])).toHaveLength(2);
  });

  it('refuses an entry it cannot read rather than judging without it', () => {
    expect(() => decodeFlowSteps(['{"kind":"read"}'])).toThrow(/unreadable/);
    expect(() => decodeFlowSteps(['not json'])).toThrow(/not JSON/);
  });
});
