import { readdirSync, readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ErrorDetail } from '../errors.js';

// ajv-formats ships CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const SCHEMA_DIR = new URL('../../reference/official/schemas/', import.meta.url);

/** The current server.json schema (what new publishes should declare). */
export const CURRENT_SCHEMA = 'https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json';

/** Converts a JSON pointer (`/packages/0/transport/type`) to `body.packages[0].transport.type`. */
export function pointerToPath(pointer: string, extra?: string): string {
  let out = 'body';
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(seg) ? `[${seg}]` : `.${seg}`;
  }
  if (extra !== undefined) out += /^\d+$/.test(extra) ? `[${extra}]` : `.${extra}`;
  return out;
}

function toDetail(e: ErrorObject): ErrorDetail {
  const params = e.params as { missingProperty?: string; additionalProperty?: string };
  const extra = params.missingProperty ?? params.additionalProperty;
  const message =
    e.keyword === 'required'
      ? 'is required'
      : e.keyword === 'additionalProperties'
        ? 'is not an allowed property'
        : (e.message ?? 'is invalid');
  const detail: ErrorDetail = { message, location: pointerToPath(e.instancePath, extra) };
  if (e.keyword !== 'required' && e.keyword !== 'additionalProperties' && e.data !== undefined && typeof e.data !== 'object') detail.value = e.data;
  return detail;
}

/**
 * Validates server.json bodies against the official JSON Schema named by their `$schema` (the
 * current one and every older dated one real data still carries), with ajv (draft-07, all errors).
 */
export class ServerSchemaValidator {
  private readonly ajv: Ajv;
  /** Schema files by `$id`; compiled on first use, so processes that never validate pay nothing. */
  private readonly files = new Map<string, string>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
    addFormats(this.ajv);
    for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.server.schema.json')).sort()) {
      const date = file.slice(0, file.indexOf('.'));
      this.files.set(`https://static.modelcontextprotocol.io/schemas/${date}/server.schema.json`, file);
    }
  }

  /** Schema URLs this gateway accepts. */
  get supported(): string[] {
    return [...this.files.keys()];
  }

  private validatorFor(id: string): ValidateFunction | undefined {
    let validate = this.validators.get(id);
    const file = this.files.get(id);
    if (!validate && file) {
      const schema = JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as { $id: string };
      if (schema.$id !== id) throw new Error(`schema file ${file} declares $id ${schema.$id}, expected ${id}`);
      validate = this.ajv.compile(schema);
      this.validators.set(id, validate);
    }
    return validate;
  }

  /**
   * Field-level problems of `body` (empty when valid). A missing or unknown `$schema` is itself a
   * problem.
   */
  validate(body: Record<string, unknown>): ErrorDetail[] {
    const id = body.$schema;
    if (typeof id !== 'string' || id === '') {
      return [{ message: `is required: the URL of a server.json schema, e.g. ${CURRENT_SCHEMA}`, location: 'body.$schema' }];
    }
    const validate = this.validatorFor(id);
    if (!validate) return [{ message: `is not a supported server.json schema (supported: ${this.supported.join(', ')})`, location: 'body.$schema', value: id }];
    if (validate(body)) return [];
    const seen = new Set<string>();
    const out: ErrorDetail[] = [];
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'anyOf' || e.keyword === 'oneOf' || e.keyword === 'if') continue;
      const d = toDetail(e);
      const key = `${d.location}|${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
      if (out.length >= 25) break;
    }
    return out;
  }
}
