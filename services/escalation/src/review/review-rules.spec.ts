import { approvedParams, checkApproval, isApproved } from './review-rules';

describe('review rules', () => {
  const open = { status: 'open', fourEyes: false, approvals: [], owner: 'alice' };

  it('refuses the agent owner, a closed task and a second approval by the same reviewer', () => {
    expect(checkApproval(open, 'alice')).toMatchObject({ ok: false, code: 'self-approval' });
    expect(checkApproval({ ...open, status: 'resolved' }, 'bob')).toMatchObject({
      ok: false,
      code: 'closed',
    });
    expect(
      checkApproval({ ...open, fourEyes: true, approvals: [{ by: 'bob', at: 'x' }] }, 'bob'),
    ).toMatchObject({ ok: false, code: 'already-approved' });
    expect(checkApproval(open, 'bob')).toEqual({ ok: true });
    expect(checkApproval({ ...open, owner: null }, 'alice')).toEqual({ ok: true });
  });

  it('needs one approver, or two distinct ones under four-eyes', () => {
    expect(isApproved(false, [{ by: 'bob', at: 'x' }])).toBe(true);
    expect(isApproved(true, [{ by: 'bob', at: 'x' }])).toBe(false);
    expect(
      isApproved(true, [
        { by: 'bob', at: 'x' },
        { by: 'bob', at: 'y' },
      ]),
    ).toBe(false);
    expect(
      isApproved(true, [
        { by: 'bob', at: 'x' },
        { by: 'carol', at: 'y' },
      ]),
    ).toBe(true);
  });

  it('uses the latest reviewer edit', () => {
    expect(approvedParams([{ by: 'a', at: 'x' }])).toBeUndefined();
    expect(
      approvedParams([
        { by: 'a', at: 'x', params: { p: 1 } },
        { by: 'b', at: 'y' },
        { by: 'c', at: 'z', params: { p: 2 } },
      ]),
    ).toEqual({ p: 2 });
  });
});
