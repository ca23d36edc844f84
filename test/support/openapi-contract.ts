import SwaggerParser from '@apidevtools/swagger-parser';
import { OpenApiDocument, openApiPath } from '@agentops/service-runtime';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Issue #20 item 1: each service's OpenAPI description (served at `/openapi.json`) is a valid
 * OpenAPI 3.1 document, describes every route the service serves, is the one committed under
 * docs/openapi/ (`UPDATE_OPENAPI=1`, or `npm run openapi:generate`, rewrites it), and the real
 * answers of the e2e suites match the schemas it describes.
 */
export const OPENAPI_DIR = resolve(__dirname, '../../docs/openapi');

export const openApiFile = (service: string) => resolve(OPENAPI_DIR, `${service}.json`);

/** How the committed file is written: stable, diff-friendly. */
export const renderOpenApi = (document: OpenApiDocument) => `${JSON.stringify(document, null, 2)}\n`;

/** What is wrong with a service's description: invalid, incomplete, or not the committed one. */
export async function openApiDrift(
  service: string,
  document: OpenApiDocument,
  servedRoutes: string[],
): Promise<string[]> {
  const problems: string[] = [];
  try {
    // The parser dereferences in place: it gets a copy.
    await SwaggerParser.validate(structuredClone(document) as never);
  } catch (error) {
    problems.push(`${service}: not a valid OpenAPI document: ${(error as Error).message}`);
  }
  for (const route of servedRoutes) {
    const [method, path] = route.split(' ');
    const item = document.paths[openApiPath(path)];
    const verb = method === 'ALL' ? 'get' : method.toLowerCase();
    if (!item?.[verb]) problems.push(`${service}: ${route} is served but not described`);
  }
  const file = openApiFile(service);
  const rendered = renderOpenApi(document);
  if (process.env.UPDATE_OPENAPI) {
    mkdirSync(OPENAPI_DIR, { recursive: true });
    writeFileSync(file, rendered);
  } else if (!existsSync(file) || readFileSync(file, 'utf8') !== rendered)
    problems.push(
      `${service}: docs/openapi/${service}.json differs from the served description (npm run openapi:generate rewrites it)`,
    );
  return problems;
}

/** One answer an e2e suite received over HTTP. */
export interface RecordedAnswer {
  service: string;
  method: string;
  /** The URL's path, without the query. */
  path: string;
  status: number;
  contentType: string;
  text: string;
}

export interface AnswerCheck {
  /** JSON answers validated against a described schema. */
  validated: number;
  /** Answers whose description has no JSON schema (an undeclared success body, a stream). */
  undescribed: string[];
  problems: string[];
}

/** A node of the document, walked by keys (JSON pointer segments, unescaped). */
type Node = { [key: string]: Node | undefined } | undefined;
const at = (node: Node, ...keys: string[]): Node => keys.reduce((n: Node, k) => n?.[k], node);

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** The described operation a concrete `METHOD /path` goes to (literal segments beat parameters). */
function operationFor(document: OpenApiDocument, method: string, path: string) {
  const candidates = Object.keys(document.paths)
    .filter((template) => {
      const pattern = template
        .split('/')
        .map((seg, i, all) =>
          /^\{.+\}$/.test(seg)
            ? i === all.length - 1 && template.startsWith('/api/')
              ? '.+'
              : '[^/]+'
            : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
        )
        .join('/');
      return new RegExp(`^${pattern}$`).test(path) && document.paths[template][method.toLowerCase()];
    })
    .sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0));
  return candidates[0];
}

/**
 * Every JSON answer against the schema its service describes for that route and status; an
 * answer on an undescribed route or status is a problem too (the description would be lying by
 * omission). Schemas are the document's own, `$ref`s included (Ajv, draft 2020-12, formats).
 */
export function answersAgainstOpenApi(
  documents: Record<string, OpenApiDocument>,
  answers: RecordedAnswer[],
): AnswerCheck {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const [service, document] of Object.entries(documents))
    ajv.addSchema(document, `urn:openapi:${service}`);
  const check: AnswerCheck = { validated: 0, undescribed: [], problems: [] };
  const seen = new Set<string>();
  for (const answer of answers) {
    const document = documents[answer.service] as unknown as Node;
    if (!document) continue;
    const what = `${answer.service} ${answer.method} ${answer.path} → ${answer.status}`;
    const template = operationFor(documents[answer.service], answer.method, answer.path);
    if (!template) {
      check.problems.push(`${what}: no described operation`);
      continue;
    }
    const verb = answer.method.toLowerCase();
    const responses = at(document, 'paths', template, verb, 'responses');
    const key = [String(answer.status), `${String(answer.status)[0]}XX`, 'default'].find(
      (k) => responses?.[k],
    );
    if (!key) {
      check.problems.push(`${what}: status not described (${template})`);
      continue;
    }
    let pointer = `#/paths/${escapePointer(template)}/${verb}/responses/${key}`;
    const ref = at(responses, key, '$ref') as unknown;
    if (typeof ref === 'string') pointer = ref;
    const response = at(
      document,
      ...pointer
        .slice(2)
        .split('/')
        .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~')),
    );
    if (!/^application\/([\w.-]+\+)?json\b/.test(answer.contentType)) continue;
    // The described media type the answer came as (problem details for errors, JSON otherwise).
    const mediaType = answer.contentType.split(';')[0].trim();
    if (!at(response, 'content', mediaType, 'schema')) {
      const id = `${answer.service} ${answer.method} ${template} → ${answer.status}`;
      if (!seen.has(id)) check.undescribed.push(id);
      seen.add(id);
      continue;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      check.problems.push(`${what}: says JSON but is not`);
      continue;
    }
    const validate = ajv.getSchema(
      `urn:openapi:${answer.service}${pointer}/content/${escapePointer(mediaType)}/schema`,
    );
    if (!validate) {
      check.problems.push(`${what}: schema ${pointer} does not compile`);
      continue;
    }
    check.validated++;
    if (!validate(body))
      check.problems.push(
        `${what}: ${ajv.errorsText(validate.errors, { separator: '; ' })} in ${answer.text.slice(0, 300)}`,
      );
  }
  return check;
}
