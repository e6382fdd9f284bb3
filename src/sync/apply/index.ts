export { type ApplyDeps, type ApplyResult, applyTaskDeliveries } from "./apply-task-deliveries.ts";
export { type ParsedDelivery, parseDelivery, type TaskChange } from "./parse-delivery.ts";
