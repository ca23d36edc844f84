import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'catalog_items' })
export class CatalogItemEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) sku!: string;
  @Column({ type: 'numeric', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  price!: number;
  @Column({
    name: 'floor_price',
    type: 'numeric',
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  floorPrice!: number;
  @Column({ type: 'numeric', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  cost!: number;
  @Column({ type: 'boolean', default: false }) flagship!: boolean;
  @Column({ type: 'text' }) brand!: string;
  @Column({ type: 'text' }) category!: string;
  @Column({ type: 'integer', default: 0 }) stock!: number;
  @Column({ name: 'velocity_30d', type: 'integer', default: 0 }) velocity30d!: number;
  @Column({ name: 'slow_mover', type: 'boolean', default: false }) slowMover!: boolean;
}

/** One row per decided intent: makes redelivery republish the same decision, never a second one. */
@Entity({ name: 'decisions' })
export class DecisionEntity {
  @PrimaryColumn({ name: 'intent_id', type: 'uuid' }) intentId!: string;
  @Column({ name: 'event_id', type: 'uuid' }) eventId!: string;
  @Column({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'text' }) agentId!: string;
  @Column({ type: 'text' }) verdict!: string;
  @Column({ name: 'decided_by', type: 'text' }) decidedBy!: string;
  /** The whole decision event (envelope + data), republished verbatim on redelivery. */
  @Column({ type: 'jsonb' }) event!: Record<string, unknown>;
  /** The intent as decided, so an outcome can be verified against what was approved. */
  @Column({ type: 'jsonb', nullable: true }) intent!: Record<string, unknown> | null;
  @Column({ name: 'decided_at', type: 'timestamptz' }) decidedAt!: Date;
}
