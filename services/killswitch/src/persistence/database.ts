import { CreateSignals1764000000301 } from './migrations/1764000000301-create-signals';
import { CreateSwitches1764000000302 } from './migrations/1764000000302-create-switches';
import { CreateBreakerStates1764000000303 } from './migrations/1764000000303-create-breaker-states';

export const killswitchDatabase = () => ({
  schema: 'killswitch',
  entities: [],
  migrations: [CreateSignals1764000000301, CreateSwitches1764000000302, CreateBreakerStates1764000000303],
});
