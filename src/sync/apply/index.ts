export { type ApplyDeps, applyDepsOf, applyTaskDeliveries } from "./apply-task-deliveries.ts";
