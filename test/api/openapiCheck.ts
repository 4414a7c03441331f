// Checks for the OpenAPI document, kept apart from the test that uses them: a structural
// validation of the OpenAPI 3.0 rules the document relies on (no validator package is
// installed, and the machine may be offline), and a validator for the subset of JSON Schema
// its schemas use, so real answers can be checked against what the document promises.
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Follows a local `#/a/b` reference. */
export function resolveRef(doc: Obj, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const part of ref.slice(2).split('/')) node = isObj(node) ? node[part.replaceAll('~1', '/').replaceAll('~0', '~')] : undefined;
  return node;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const PARAM_IN = ['query', 'header', 'path', 'cookie'];
const TYPES = ['string', 'integer', 'number', 'boolean', 'array', 'object'];

/** Every violation found, as readable strings; empty when the document is structurally valid. */
export function openApiProblems(doc: Obj): string[] {
  const problems: string[] = [];
  const need = (cond: boolean, what: string): void => void (cond || problems.push(what));

  need(typeof doc.openapi === 'string' && /^3\.0\.\d+$/.test(doc.openapi), 'openapi must be 3.0.x');
  need(isObj(doc.info) && typeof doc.info.title === 'string' && typeof doc.info.version === 'string', 'info.title and info.version are required');
  need(isObj(doc.paths), 'paths is required');
  const components = isObj(doc.components) ? doc.components : {};
  const schemes = isObj(components.securitySchemes) ? components.securitySchemes : {};
  const tags = new Set(Array.isArray(doc.tags) ? doc.tags.map((t) => (isObj(t) ? t.name : null)) : []);

  // Every $ref anywhere must resolve.
  const walk = (node: Json, at: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}/${i}`));
    else if (isObj(node)) {
      if (typeof node.$ref === 'string') need(resolveRef(doc, node.$ref) !== undefined, `${at}: $ref ${node.$ref} does not resolve`);
      for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '#');

  for (const [name, scheme] of Object.entries(schemes)) {
    const ok = isObj(scheme) && ((scheme.type === 'apiKey' && typeof scheme.name === 'string' && PARAM_IN.includes(String(scheme.in))) || (scheme.type === 'http' && typeof scheme.scheme === 'string'));
    need(ok, `securityScheme ${name} is malformed`);
  }
  for (const [name, schema] of Object.entries(isObj(components.schemas) ? components.schemas : {})) checkSchema(schema, `schemas/${name}`, need);

  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(isObj(doc.paths) ? doc.paths : {})) {
    need(path.startsWith('/'), `path ${path} must start with /`);
    if (!isObj(item)) continue;
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const at = `${method.toUpperCase()} ${path}`;
      if (!isObj(op)) {
        problems.push(`${at}: not an object`);
        continue;
      }
      need(typeof op.operationId === 'string' && !operationIds.has(op.operationId), `${at}: operationId missing or not unique`);
      if (typeof op.operationId === 'string') operationIds.add(op.operationId);
      const responses = isObj(op.responses) ? op.responses : {};
      need(Object.keys(responses).length > 0, `${at}: no responses`);
      for (const [status, res] of Object.entries(responses)) {
        need(/^(?:[1-5](?:\d\d|XX)|default)$/.test(status), `${at}: bad response key ${status}`);
        const r = isObj(res) && typeof res.$ref === 'string' ? resolveRef(doc, res.$ref) : res;
        need(isObj(r) && typeof r.description === 'string', `${at} ${status}: a response needs a description`);
      }
      const seen = new Set<string>();
      for (const p of Array.isArray(op.parameters) ? op.parameters : []) {
        const param = isObj(p) && typeof p.$ref === 'string' ? resolveRef(doc, p.$ref) : p;
        if (!isObj(param)) continue;
        const key = `${param.in}:${param.name}`;
        need(typeof param.name === 'string' && PARAM_IN.includes(String(param.in)), `${at}: parameter needs name and a valid in`);
        need(isObj(param.schema) || isObj(param.content), `${at}: parameter ${key} needs a schema`);
        need(!seen.has(key), `${at}: parameter ${key} given twice`);
        seen.add(key);
        if (param.in === 'path') need(param.required === true && templated.includes(String(param.name)), `${at}: path parameter ${key} must be required and in the path`);
      }
      for (const name of templated) need(seen.has(`path:${name}`), `${at}: path template {${name}} has no parameter`);
      if (isObj(op.requestBody)) need(isObj(op.requestBody.content), `${at}: requestBody needs content`);
      for (const req of Array.isArray(op.security) ? op.security : []) {
        for (const name of Object.keys(isObj(req) ? req : {})) need(name in schemes, `${at}: security ${name} is not a declared scheme`);
      }
      for (const tag of Array.isArray(op.tags) ? op.tags : []) need(tags.has(tag), `${at}: tag ${String(tag)} is not declared`);
    }
  }
  return problems;
}

function checkSchema(schema: Json, at: string, need: (cond: boolean, what: string) => void): void {
  if (!isObj(schema) || typeof schema.$ref === 'string') return;
  if (schema.type !== undefined) need(TYPES.includes(String(schema.type)), `${at}: unknown type ${String(schema.type)}`);
  if (schema.type === 'array') need(isObj(schema.items), `${at}: an array schema needs items (OpenAPI 3.0)`);
  if (Array.isArray(schema.required)) for (const r of schema.required) need(isObj(schema.properties) && String(r) in schema.properties, `${at}: required ${String(r)} is not a property`);
  for (const [k, v] of Object.entries(isObj(schema.properties) ? schema.properties : {})) checkSchema(v, `${at}.${k}`, need);
  if (schema.items !== undefined) checkSchema(schema.items, `${at}[]`, need);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((s, i) => checkSchema(s, `${at}.${key}[${i}]`, need));
  }
}

/** Where `value` breaks `schema` (the subset of JSON Schema the document uses); empty when valid. */
export function schemaErrors(doc: Obj, schema: Json, value: unknown, at = '$'): string[] {
  if (!isObj(schema)) return [];
  if (typeof schema.$ref === 'string') return schemaErrors(doc, resolveRef(doc, schema.$ref) ?? null, value, at);
  if (value === null) return schema.nullable === true ? [] : [`${at}: null is not allowed`];
  const errors: string[] = [];
  if (Array.isArray(schema.anyOf) && !schema.anyOf.some((s) => schemaErrors(doc, s, value, at).length === 0)) errors.push(`${at}: matches none of anyOf`);
  const t = schema.type;
  const actual = Array.isArray(value) ? 'array' : Number.isInteger(value) ? 'integer' : typeof value;
  if (t !== undefined && !(t === actual || (t === 'number' && actual === 'integer'))) return [...errors, `${at}: expected ${String(t)}, got ${actual}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value as Json)) errors.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) errors.push(`${at}: below minimum`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) errors.push(`${at}: above maximum`);
  }
  if (typeof value === 'string' && typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) errors.push(`${at}: does not match ${schema.pattern}`);
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) errors.push(`${at}: fewer than ${schema.minItems} items`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) errors.push(`${at}: more than ${schema.maxItems} items`);
    value.forEach((v, i) => errors.push(...schemaErrors(doc, schema.items ?? null, v, `${at}[${i}]`)));
  }
  if (isObj(value)) {
    const props = isObj(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
    for (const r of required) if (!(r in value)) errors.push(`${at}: missing ${r}`);
    // A closed row (every field required, no others): the field order is part of the contract.
    const closed = schema.additionalProperties === false && required.length === Object.keys(props).length;
    if (closed && errors.length === 0 && Object.keys(value).join() !== Object.keys(props).join()) errors.push(`${at}: fields in order ${Object.keys(value).join()}, documented ${Object.keys(props).join()}`);
    for (const [k, v] of Object.entries(value)) {
      if (k in props) errors.push(...schemaErrors(doc, props[k] ?? null, v, `${at}.${k}`));
      else if (schema.additionalProperties === false) errors.push(`${at}: unexpected property ${k}`);
    }
  }
  return errors;
}
