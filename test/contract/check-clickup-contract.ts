// Contract check: runs every ClickUp endpoint the fake serves and validates the responses against the
// official OpenAPI document. Usage: node test/contract/check-clickup-contract.ts <openapi.json>
import { readFileSync } from "node:fs";
import { TOLERATED_DRIFTS } from "./allow-list.ts";
import { runClickUpContract, summarize } from "./clickup-contract.ts";

const specPath = process.argv[2];
if (!specPath) {
  console.error("usage: node test/contract/check-clickup-contract.ts <path-to-openapi.json>");
  process.exit(2);
}

const spec: unknown = JSON.parse(readFileSync(specPath, "utf8"));
const results = await runClickUpContract(spec);
const summary = summarize(results);

let mismatches = 0;
for (const op of summary) {
  const verdict = op.mismatches.length === 0 ? "ok" : `${op.mismatches.length} MISMATCH(ES)`;
  console.log(
    `${op.operation.padEnd(28)} ${String(op.responses).padStart(2)} responses (HTTP ${op.statuses.join(",")})  ` +
      `${op.tolerated} tolerated drift(s)  ${verdict}`,
  );
  for (const m of op.mismatches)
    console.log(`  ✗ ${op.operation} [${m.label}] ${m.path || "/"}: ${m.keyword}: ${m.message}`);
  mismatches += op.mismatches.length;
}
const used = new Set(results.flatMap((r) => r.tolerated.map((t) => t.allowance)));
console.log(`allow-list: ${used.size} of ${TOLERATED_DRIFTS.length} entries exercised`);
console.log(`${summary.length} operations checked, ${mismatches} mismatches`);
process.exit(mismatches === 0 ? 0 : 1);
