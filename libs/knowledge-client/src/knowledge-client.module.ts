import { Module } from '@nestjs/common';
import { ActiveKnowledge } from './active-knowledge';
import { KnowledgeFollower } from './knowledge-follower';

/** Import in a service root module (after ServiceRuntimeModule) to serve tenants' knowledge from memory. */
@Module({
  providers: [{ provide: ActiveKnowledge, useFactory: () => new ActiveKnowledge() }, KnowledgeFollower],
  exports: [ActiveKnowledge, KnowledgeFollower],
})
export class KnowledgeClientModule {}
