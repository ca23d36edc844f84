/** The console's two consumer subscriptions; decisions reach both, so handlers tell them apart. */
export const LIVE_TRAFFIC_SUBSCRIPTION = 'live-traffic';
export const POLICY_FIRES_SUBSCRIPTION = 'policy-fires';
