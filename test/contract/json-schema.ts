// A small JSON Schema 2020-12 validator, enough for the response schemas of ClickUp's OpenAPI 3.1 spec.
// Written in-repo rather than pulling a library because the spec is not a clean schema document: it uses
// non-standard types ("int", "bigint"), schemas nested under property names and `$ref`s into other
// operations; a strict library refuses to compile it, a lenient one hides what it skipped. Here every
// supported keyword is listed below; annotations (title, description, examples, format, content*) are
// ignored, as the JSON Schema spec allows.

export interface Mismatch {
  /** JSON pointer into the response body. For `required`, the pointer of the missing property. */
  path: string;
  keyword: string;
  message: string;
  /** JSON type of the offending value ("missing" for `required`). */
  got: string;
}

type Schema = boolean | Record<string, unknown>;

export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  const actual = jsonType(value);
  if (type === "number") return actual === "number" || actual === "integer";
  return actual === type;
}

const escapePointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export interface Validator {
  validate(schema: unknown, instance: unknown, path?: string): Mismatch[];
  resolve(ref: string): unknown;
}

/** `root` is the whole OpenAPI document, against which `#/...` references resolve. */
export function createValidator(root: unknown): Validator {
  function resolve(ref: string): unknown {
    if (!ref.startsWith("#")) throw new Error(`Only local $refs are supported: ${ref}`);
    let node: unknown = root;
    for (const raw of ref.slice(1).split("/").slice(1)) {
      // The spec percent-encodes braces inside pointers (…%7Btask_id%7D…), so decode before unescaping.
      const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
      if (node === null || typeof node !== "object" || !(key in node))
        throw new Error(`Unresolvable $ref ${ref}`);
      node = (node as Record<string, unknown>)[key];
    }
    return node;
  }

  function validate(schemaIn: unknown, value: unknown, path = ""): Mismatch[] {
    const schema = schemaIn as Schema;
    if (schema === true || schema === undefined) return [];
    if (schema === false)
      return [{ path, keyword: "false", message: "no value allowed", got: jsonType(value) }];
    const out: Mismatch[] = [];
    const fail = (keyword: string, message: string, at = path, got = jsonType(value)) =>
      out.push({ path: at, keyword, message, got });

    if (typeof schema.$ref === "string") out.push(...validate(resolve(schema.$ref), value, path));

    if (schema.type !== undefined) {
      const types = (Array.isArray(schema.type) ? schema.type : [schema.type]) as string[];
      if (!types.some((t) => typeMatches(t, value))) {
        fail("type", `expected ${types.join(" | ")}, got ${jsonType(value)}`);
        return out; // Structural keywords below would only repeat the same problem.
      }
    }
    if (Array.isArray(schema.enum) && !schema.enum.some((e) => deepEqual(e, value)))
      fail("enum", `not one of ${JSON.stringify(schema.enum)}`);
    if ("const" in schema && !deepEqual(schema.const, value))
      fail("const", `expected ${JSON.stringify(schema.const)}`);

    for (const key of ["allOf", "anyOf", "oneOf"] as const) {
      const branches = schema[key];
      if (!Array.isArray(branches)) continue;
      const results = branches.map((b) => validate(b, value, path));
      const passing = results.filter((r) => r.length === 0).length;
      if (key === "allOf") for (const r of results) out.push(...r);
      if (key === "anyOf" && passing === 0) fail("anyOf", "matches none of the anyOf branches");
      if (key === "oneOf" && passing !== 1)
        fail("oneOf", `matches ${passing} oneOf branches, expected exactly 1`);
    }
    if (schema.not !== undefined && validate(schema.not, value, path).length === 0)
      fail("not", "matches `not`");

    if (jsonType(value) === "object") {
      const obj = value as Record<string, unknown>;
      const props = (schema.properties ?? {}) as Record<string, unknown>;
      if (Array.isArray(schema.required))
        for (const name of schema.required as string[])
          if (!(name in obj))
            fail(
              "required",
              `missing required property "${name}"`,
              `${path}/${escapePointer(name)}`,
              "missing",
            );
      for (const [name, sub] of Object.entries(obj)) {
        const at = `${path}/${escapePointer(name)}`;
        if (name in props) out.push(...validate(props[name], sub, at));
        else if (schema.additionalProperties === false)
          fail("additionalProperties", `unexpected property "${name}"`, at, jsonType(sub));
        else if (schema.additionalProperties !== undefined)
          out.push(...validate(schema.additionalProperties, sub, at));
      }
    }

    if (Array.isArray(value)) {
      const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
      value.forEach((item, i) => {
        const sub = i < prefix.length ? prefix[i] : schema.items;
        if (sub !== undefined) out.push(...validate(sub, item, `${path}/${i}`));
      });
      if (typeof schema.minItems === "number" && value.length < schema.minItems)
        fail("minItems", `fewer than ${schema.minItems} items`);
      if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
        fail("maxItems", `more than ${schema.maxItems} items`);
    }

    if (typeof value === "string") {
      if (typeof schema.minLength === "number" && value.length < schema.minLength)
        fail("minLength", "string too short");
      if (typeof schema.maxLength === "number" && value.length > schema.maxLength)
        fail("maxLength", "string too long");
      if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value))
        fail("pattern", `does not match ${schema.pattern}`);
    }
    if (typeof value === "number") {
      if (typeof schema.minimum === "number" && value < schema.minimum)
        fail("minimum", `below ${schema.minimum}`);
      if (typeof schema.maximum === "number" && value > schema.maximum)
        fail("maximum", `above ${schema.maximum}`);
    }
    return out;
  }

  return { validate, resolve };
}
