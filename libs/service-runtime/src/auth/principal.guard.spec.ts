import { ForbiddenException } from '@nestjs/common';
import { ALL_TENANTS, Principal } from './principal';
import { tenantOfRead } from './principal.guard';

const person = (tenantId: string): Principal => ({
  kind: 'human',
  id: 'ana',
  tenantId,
  roles: ['sre'],
  groups: [],
});

describe('tenantOfRead', () => {
  it("limits a tenant-bound caller to its tenant, and refuses another tenant's name", () => {
    expect(tenantOfRead(person('maison'))).toBe('maison');
    expect(tenantOfRead(person('maison'), 'maison')).toBe('maison');
    expect(() => tenantOfRead(person('maison'), 'rival')).toThrow(ForbiddenException);
  });

  it('gives a platform principal every tenant, or the one it names', () => {
    expect(tenantOfRead(person(ALL_TENANTS))).toBeUndefined();
    expect(tenantOfRead(person(ALL_TENANTS), 'rival')).toBe('rival');
  });
});
