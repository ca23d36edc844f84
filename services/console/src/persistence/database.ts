import { CreateUsers1764000000601 } from './migrations/1764000000601-create-users';
import { CreatePolicyFires1764000000602 } from './migrations/1764000000602-create-policy-fires';
import { UserGroupsAndTokenEpochs1764000000603 } from './migrations/1764000000603-user-groups-and-token-epochs';

export const consoleDatabase = () => ({
  schema: 'console',
  entities: [],
  migrations: [
    CreateUsers1764000000601,
    CreatePolicyFires1764000000602,
    UserGroupsAndTokenEpochs1764000000603,
  ],
});
