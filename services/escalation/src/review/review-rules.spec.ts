import {
  approvedParams,
  checkApproval,
  countingApprovals,
  decidingGroups,
  isApproved,
  isInDecidingGroup,
} from './review-rules';

describe('review rules', () => {
  const open = { status: 'open', fourEyes: false, approvals: [], owner: 'alice', route: 'r' };

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
    expect(isApproved(false, [{ by: 'bob', at: 'x' }], 'r')).toBe(true);
    expect(isApproved(true, [{ by: 'bob', at: 'x' }], 'r')).toBe(false);
    expect(
      isApproved(
        true,
        [
          { by: 'bob', at: 'x' },
          { by: 'bob', at: 'y' },
        ],
        'r',
      ),
    ).toBe(false);
    expect(
      isApproved(
        true,
        [
          { by: 'bob', at: 'x' },
          { by: 'carol', at: 'y' },
        ],
        'r',
      ),
    ).toBe(true);
  });

  it('counts only approvals of what is now proposed, given on the route the task is on', () => {
    const approvals = [
      { by: 'bob', at: '1', route: 'small' },
      { by: 'carol', at: '2', route: 'small', params: { amount: 900 } },
      { by: 'dan', at: '3', route: 'large' },
    ];
    // carol's edit replaced what bob approved; carol approved on the route the edit moved away from.
    expect(countingApprovals(approvals, 'large').map((a) => a.by)).toEqual(['dan']);
    expect(isApproved(true, approvals, 'large')).toBe(false);
    expect(isApproved(true, [...approvals, { by: 'erin', at: '4', route: 'large' }], 'large')).toBe(true);
    // bob may approve again: what he approved before is no longer what is proposed.
    expect(checkApproval({ ...open, fourEyes: true, approvals, route: 'large' }, 'bob')).toEqual({
      ok: true,
    });
    expect(checkApproval({ ...open, fourEyes: true, approvals, route: 'large' }, 'dan')).toMatchObject({
      code: 'already-approved',
    });
  });

  it('lets the tier group and the groups a breach escalates to decide, nobody else', () => {
    const route = { tiers: [{ group: 'brand-pricing' }, { group: 'brand-directors' }] };
    expect(decidingGroups(route, 0)).toEqual(['brand-pricing', 'brand-directors']);
    expect(decidingGroups(route, 1)).toEqual(['brand-directors']);
    expect(isInDecidingGroup(['brand-directors'], route, 0)).toBe(true);
    expect(isInDecidingGroup(['brand-pricing'], route, 1)).toBe(false);
    expect(isInDecidingGroup(['reviewers'], route, 0)).toBe(false);
    expect(isInDecidingGroup([], route, 0)).toBe(false);
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
