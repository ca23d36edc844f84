import { CreateSignals1764000000301 } from './migrations/1764000000301-create-signals';

export const killswitchDatabase = () => ({ schema: 'killswitch', entities: [], migrations: [CreateSignals1764000000301] });
