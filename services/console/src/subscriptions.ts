/** The console's per-message subscription (the policy fire counts have a batch consumer of their own). */
export const LIVE_TRAFFIC_SUBSCRIPTION = 'live-traffic';
