import type { Metafile } from 'esbuild';
import { externalDependencies, packageOf, relativeTypeImports } from './pack-sdk';

describe('packing @agentops/sdk', () => {
  it('names the npm package of a bare import, nothing for a relative or built-in one', () => {
    expect(packageOf('zod')).toBe('zod');
    expect(packageOf('zod/v4')).toBe('zod');
    expect(packageOf('@marcbachmann/cel-js/dist/x')).toBe('@marcbachmann/cel-js');
    expect(packageOf('./client')).toBeNull();
    expect(packageOf('node:fs')).toBeNull();
  });

  it('makes the externals the bundles import its dependencies, at the pinned versions', () => {
    const meta = (paths: [string, boolean][]) =>
      ({
        inputs: {},
        outputs: {
          'out.js': { imports: paths.map(([path, external]) => ({ path, external, kind: 'require-call' })) },
        },
      }) as unknown as Metafile;
    expect(
      externalDependencies(
        [
          meta([
            ['zod', true],
            ['node:fs', true],
            ['commander', true],
          ]),
          meta([
            ['zod/v4', true],
            ['./x', false],
          ]),
        ],
        { zod: '^4.1.0', commander: '^12.1.0', kafkajs: '2.2.4' },
      ),
    ).toEqual({ commander: '^12.1.0', zod: '^4.1.0' });
  });

  it("rewrites a declaration's @agentops/* imports to the declarations packed beside it", () => {
    const file = '/pkg/types/libs/sdk/src/client.d.ts';
    expect(
      relativeTypeImports(
        "import { A } from '@agentops/contracts';\nimport type { T } from \"@agentops/service-runtime/tracing\";\nimport { z } from 'zod';",
        file,
        '/pkg/types',
      ),
    ).toBe(
      "import { A } from '../../contracts/src/index';\nimport type { T } from \"../../service-runtime/src/tracing\";\nimport { z } from 'zod';",
    );
  });
});
