import { FlipRequest, PreviewRequest } from './switch-requests';

describe('switch requests', () => {
  it('refuse a selector glob beyond the caps, naming selector.action', () => {
    const flip = { selector: { action: '*a*a*a*a*a*b' }, reason: 'stop' };
    for (const bad of [FlipRequest.safeParse(flip), PreviewRequest.safeParse({ selector: flip.selector })]) {
      expect(bad.success).toBe(false);
      expect(bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
        'selector.action: at most 4 * wildcards (found 6)',
      ]);
    }
    expect(FlipRequest.safeParse({ selector: { action: 'pricing.*' }, reason: 'stop' }).success).toBe(true);
  });
});
