import { Module } from '@nestjs/common';
import { KillSwitchFollower } from './killswitch-follower';
import { KillSwitchSet } from './switch-set';

/** Import in a service root module (after ServiceRuntimeModule) to enforce kill switches from memory. */
@Module({
  providers: [{ provide: KillSwitchSet, useFactory: () => new KillSwitchSet() }, KillSwitchFollower],
  exports: [KillSwitchSet, KillSwitchFollower],
})
export class KillSwitchClientModule {}
