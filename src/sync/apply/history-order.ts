/** History item ids are large decimal strings: order numerically when they are, else as text. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ClickUp's order of changes: by the item's time, then its id. */
export const byHistoryOrder = (a: { at: number; itemId: string }, b: { at: number; itemId: string }) =>
  a.at - b.at || compareIds(a.itemId, b.itemId);
