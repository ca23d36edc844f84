// Module boundaries are real rules, not wildcards: each tag may depend only on the tags listed,
// and driver/framework imports are banned where the layer must stay pure. Every project carries a
// `type:*` and a `scope:*` tag and must satisfy both rows. The rule reads the Nx project graph: run
// `NX_DAEMON=false npx nx show projects` once before `npx eslint .` (scripts/test.sh does), or it is skipped.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const drivers = ['kafkajs', 'typeorm', 'pg', 'ioredis', '@nestjs/*', 'express'];
// Frameworks a pure layer must not reach either (drivers plus Nest's reactive runtime).
const frameworks = [...drivers, 'rxjs', 'reflect-metadata'];

// Scopes (the `scope:*` tags of the Nx project files): a service's code reaches only its own scope
// and the shared libs, never another service; shared libs and the SDK never reach a service.
// Every directory under services/ is one (a list by hand left rollout's scope unconstrained).
const services = readdirSync(new URL('./services/', import.meta.url), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);
const scopeConstraints = [
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:sdk', 'scope:shared'] },
  ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**', 'docs/**', 'reports/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:data-access', 'type:contracts', 'type:util'], bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:feature', 'type:domain', 'type:data-access', 'type:contracts', 'type:util'], bannedExternalImports: ['kafkajs'] },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'], bannedExternalImports: ['kafkajs', '@nestjs/*'] },
            { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:contracts', 'type:util'], bannedExternalImports: ['@nestjs/*', 'typeorm', 'pg'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'], bannedExternalImports: frameworks },
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'], bannedExternalImports: frameworks },
            ...scopeConstraints,
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The Kafka port is closed (issue #13.4): kafkajs is imported by libs/messaging and nothing else,
    // tests, tools and benches included; they use the lib's publisher, consumers, KafkaAdmin and
    // RawTopicReader.
    files: ['**/*.ts'],
    ignores: ['libs/messaging/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'kafkajs', message: 'kafkajs stays behind libs/messaging (its port)' }] },
      ],
    },
  },
);
