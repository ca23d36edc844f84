import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'catalog_items' })
export class CatalogItemEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'text' }) tenantId!: string;
  @PrimaryColumn({ type: 'text' }) sku!: string;
  @Column({ type: 'numeric', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) price!: number;
  @Column({ name: 'floor_price', type: 'numeric', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) floorPrice!: number;
  @Column({ type: 'numeric', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) cost!: number;
  @Column({ type: 'boolean', default: false }) flagship!: boolean;
  @Column({ type: 'text' }) brand!: string;
  @Column({ type: 'text' }) category!: string;
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
  @Column({ name: 'decided_at', type: 'timestamptz' }) decidedAt!: Date;
}
