import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkResponse, runClickUpContract, summarize } from "./clickup-contract.ts";
import { createValidator } from "./json-schema.ts";

// CLICKUP_OPENAPI_SPEC points at the document from a checkout that does not sit next to shared/ (a worktree).
const specPath =
  process.env.CLICKUP_OPENAPI_SPEC ??
  fileURLToPath(new URL("../../../shared/reference/clickup-openapi-v2.json", import.meta.url));
const haveSpec = existsSync(specPath);
if (!haveSpec) console.warn(`contract.test: skipping the spec checks, ${specPath} is absent`);

describe("JSON schema validator", () => {
  const doc = {
    defs: { "a{b}": { type: "object", required: ["id"], properties: { id: { type: "string" } } } },
  };
  const v = createValidator(doc);

  it("resolves percent-encoded pointers and reports paths", () => {
    const schema = { type: "array", items: { $ref: "#/defs/a%7Bb%7D" } };
    expect(v.validate(schema, [{ id: "x" }])).toEqual([]);
    expect(v.validate(schema, [{ id: "x" }, { id: 3 }, {}])).toEqual([
      { path: "/1/id", keyword: "type", message: "expected string, got integer", got: "integer" },
      { path: "/2/id", keyword: "required", message: 'missing required property "id"', got: "missing" },
    ]);
  });

  it("handles nullable type lists, oneOf, enum and closed objects", () => {
    expect(v.validate({ type: ["string", "null"] }, null)).toEqual([]);
    expect(v.validate({ type: "number" }, 3)).toEqual([]);
    expect(v.validate({ oneOf: [{ type: "string" }, {}] }, "x")[0]?.keyword).toBe("oneOf");
    expect(v.validate({ enum: ["a"] }, "b")[0]?.keyword).toBe("enum");
    expect(v.validate({ type: "object", additionalProperties: false }, { x: 1 })[0]).toMatchObject({
      path: "/x",
      keyword: "additionalProperties",
    });
  });
});

describe.skipIf(!haveSpec)("ClickUp fake vs the official OpenAPI spec", () => {
  const spec: unknown = haveSpec ? JSON.parse(readFileSync(specPath, "utf8")) : null;

  it("every endpoint's 200 and error responses match, apart from allow-listed drifts", async () => {
    const results = await runClickUpContract(spec);
    const summary = summarize(results);
    expect(summary.map((s) => s.operation).sort()).toEqual(
      [
        "CreateWebhook",
        "DeleteWebhook",
        "GetAuthorizedTeams",
        "GetAuthorizedUser",
        "GetAccessibleCustomFields",
        "GetCustomItems",
        "GetSpaceTags",
        "GetBulkTasks'TimeinStatus",
        "GetFilteredTeamTasks",
        "GetFolder",
        "GetFolderlessLists",
        "GetFolders",
        "GetGoal",
        "GetGoals",
        "Gettimeentrieswithinadaterange",
        "GetList",
        "GetLists",
        "GetSpace",
        "GetSpaces",
        "GetTask",
        "GetTask'sTimeinStatus",
        "GetTaskComments",
        "GetThreadedComments",
        "GetTasks",
        "GetWebhooks",
        "UpdateWebhook",
        "getFolderAvailableFields",
        "getSpaceAvailableFields",
      ].sort(),
    );
    expect(summary.flatMap((s) => s.mismatches)).toEqual([]);
    // The error cases really ran: 401, 403, 404, 400, 429 all appear.
    expect(new Set(results.map((r) => r.status))).toEqual(new Set([200, 400, 401, 403, 404, 429]));
    expect(results.filter((r) => r.status >= 400).every((r) => r.schemaSource === "documented-error")).toBe(
      true,
    );
  });

  it("catches a deliberately broken response", () => {
    const task = {
      id: { oops: true },
      name: "x",
      status: { status: "to do", color: "#fff", orderindex: 0, type: "open" },
    };
    const res = checkResponse(spec, "GetTask", 200, task);
    expect(res.mismatches).toEqual([
      { path: "/id", keyword: "type", message: "expected string, got object", got: "object" },
    ]);
  });

  it("tolerates a drift only in the shape it was allowed for", () => {
    // time_estimate as a number is allowed; as a boolean it is not.
    expect(checkResponse(spec, "GetTask", 200, { time_estimate: 3600000 }).mismatches).toEqual([]);
    expect(checkResponse(spec, "GetTask", 200, { time_estimate: true }).mismatches[0]?.path).toBe(
      "/time_estimate",
    );
    // An error body must be exactly {err, ECODE}.
    expect(checkResponse(spec, "GetTask", 404, { err: "x" }).mismatches[0]?.path).toBe("/ECODE");
    // Custom field values may be numbers, strings or arrays, not booleans; tags may be objects only.
    const valued = (value: unknown) =>
      checkResponse(spec, "GetTask", 200, { custom_fields: [{ id: "f", value }] }).mismatches;
    expect([valued(1), valued("true"), valued(["id"])]).toEqual([[], [], []]);
    expect(valued(true)[0]?.path).toBe("/custom_fields/0/value");
    expect(checkResponse(spec, "GetTask", 200, { tags: [{ name: "x" }, 7] }).mismatches[0]?.path).toBe(
      "/tags/1",
    );
    // GetTasks types `custom_fields` as one field: each entry is still checked against it.
    const listed = checkResponse(spec, "GetTasks", 200, { tasks: [{ custom_fields: [{ id: 5 }] }] });
    expect(listed.mismatches.map((m) => m.path)).toEqual(["/tasks/0/custom_fields/0/id"]);
    // A drift in one entry of the bulk time-in-status map is still caught.
    const bulk = checkResponse(spec, "GetBulkTasks'TimeinStatus", 200, {
      abc: { current_status: {}, status_history: [] },
    });
    expect(bulk.mismatches.map((m) => m.path)).toEqual([
      "/abc/current_status/status",
      "/abc/current_status/color",
      "/abc/current_status/total_time",
    ]);
  });
});
