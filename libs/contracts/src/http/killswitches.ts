import { z } from 'zod';
import { CohortSelector } from '../events/common/schema';
import { pageOf } from './page';

/** killswitch's switches over HTTP (`/v1/killswitches`): the answers its OpenAPI description names. */
export const KillSwitch = z
  .object({
    id: z.string().uuid(),
    /** null: a platform-wide switch (only platform principals see it). */
    tenantId: z.string().nullable(),
    selector: CohortSelector,
    state: z.enum(['active', 'released']),
    actor: z.string(),
    reason: z.string(),
    ticket: z.string().nullable(),
    expiresAt: z.string().nullable(),
    flippedAt: z.string(),
    releasedAt: z.string().nullable(),
    releasedBy: z.string().nullable(),
    releaseReason: z.string().nullable(),
    /** How many registered agents the switch halts (on a flip and in lists). */
    coveredAgents: z.number().int().min(0).optional(),
  })
  .meta({ id: 'KillSwitch' });

/** A page of switches, most recently flipped first. */
export const KillSwitchList = pageOf('switches', KillSwitch).meta({ id: 'KillSwitchList' });

/** One change of a switch. */
export const KillSwitchHistoryEntry = z
  .object({
    seq: z.string(),
    switchId: z.string().uuid(),
    eventId: z.string().uuid(),
    state: z.string(),
    actor: z.string(),
    reason: z.string(),
    at: z.string(),
  })
  .meta({ id: 'KillSwitchHistoryEntry' });

/** A page of changes, newest first. */
export const KillSwitchHistory = pageOf('history', KillSwitchHistoryEntry).meta({ id: 'KillSwitchHistory' });

/** What a flip with this selector would halt, without flipping. */
export const KillSwitchPreview = z
  .object({ selector: CohortSelector, coveredAgents: z.number().int().min(0), agents: z.array(z.string()) })
  .meta({ id: 'KillSwitchPreview' });
