export {
  type ApplyDeps,
  type ApplyResult,
  applyDepsOf,
  applyTaskDeliveries,
} from "./apply-task-deliveries.ts";
export { type ParsedDelivery, parseDelivery, type TaskChange } from "./parse-delivery.ts";
