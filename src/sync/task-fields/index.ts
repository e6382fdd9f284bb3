export { applyHistoryItem } from "./apply-history-item.ts";
export { tagKey } from "./canonical.ts";
export { taskFields } from "./extract-task-fields.ts";
export {
  fieldDefinitionsOf,
  fieldLabel,
  findFieldByName,
  optionLabel,
  parseFieldsResponse,
  UNKNOWN_FIELD,
  UNKNOWN_VALUE,
} from "./field-definitions.ts";
export { sameTaskFields } from "./same-task-fields.ts";
export {
  loadFieldDefinitions,
  loadTaskTypes,
  saveFieldDefinitions,
  saveTaskTypes,
  taskFieldColumns,
  taskFieldsOfCase,
} from "./store.ts";
export { parseCustomItemsResponse, type TaskType, taskTypeName, UNKNOWN_TASK_TYPE } from "./task-types.ts";
export * from "./types.ts";
