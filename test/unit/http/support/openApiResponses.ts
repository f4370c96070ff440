import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ValidateFunction } from 'ajv';

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

type Json = Record<string, unknown>;

const escape = (token: string) => encodeURIComponent(token.replace(/~/g, '~0').replace(/\//g, '~1'));

/**
 * Checks HTTP responses against the gateway's own OpenAPI document: finds the operation by path and
 * method, the response by status (or `default`), and validates the body with ajv (JSON Schema
 * 2020-12, as OpenAPI 3.1), resolving `$ref`s inside the document.
 */
export class OpenApiResponses {
  private readonly ajv = addFormats(new Ajv2020({ strict: false, allErrors: true }));
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: Array<{ template: string; pattern: RegExp; params: number }>;

  constructor(private readonly doc: Json) {
    this.ajv.addSchema({ ...doc, $id: 'gateway-openapi' });
    this.templates = Object.keys(doc.paths as Json)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
        params: (template.match(/\{/g) ?? []).length,
      }))
      .sort((a, b) => a.params - b.params);
  }

  /** The documented path template that `path` (no query) matches, literal segments first. */
  templateOf(path: string): string {
    const found = this.templates.find((t) => t.pattern.test(path));
    assert.ok(found, `no documented path matches ${path}`);
    return found.template;
  }

  /**
   * Asserts that the response is documented (path, method, status, media type) and that its body
   * matches the documented schema.
   */
  async check(method: string, url: string, res: Response): Promise<unknown> {
    const path = new URL(url).pathname;
    const template = this.templateOf(path);
    const op = (this.doc.paths as Record<string, Json>)[template]?.[method.toLowerCase()] as Json | undefined;
    assert.ok(op, `${method} ${template} is not documented`);
    const responses = op.responses as Json;
    const status = String(res.status);
    assert.ok(responses[status], `${method} ${template} does not document status ${status}`);
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0] as string;
    const text = await res.text();
    if (res.status === 304 || text === '') return undefined;
    const body: unknown = JSON.parse(text);
    let response = responses[status] as Json;
    let pointer = ['paths', template, method.toLowerCase(), 'responses', status];
    if (typeof response.$ref === 'string') {
      pointer = response.$ref.slice(2).split('/');
      response = pointer.reduce<Json>((node, key) => node[key] as Json, this.doc);
    }
    const content = response.content as Json | undefined;
    assert.ok(content?.[mediaType], `${method} ${template} ${status} does not document ${mediaType}`);
    const ref = `gateway-openapi#/${[...pointer, 'content', mediaType, 'schema'].map(escape).join('/')}`;
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validate);
    }
    assert.ok(validate(body), `${method} ${path} ${status}: body does not match the OpenAPI schema: ${this.ajv.errorsText(validate.errors)}\n${text.slice(0, 500)}`);
    return body;
  }
}
