/**
 * How flowbot writes a number of days, everywhere (the Flow view, digests, settings, chart labels).
 * `precision`:
 * - "report" (default): one decimal below 10 days, whole days from 10 up ("3.2 d", "14 d");
 * - "tenth": to the tenth at any size, a trailing ".0" dropped ("12.5 d", "14 d"), where a threshold
 *   must read exactly;
 * - "fixed tenth": always one decimal ("14.0 d"), for lists whose numbers line up.
 * `unit: "d"` drops the space, for chart labels ("3.2d").
 */
export function formatDays(
  value: number,
  options: { precision?: "report" | "tenth" | "fixed tenth"; unit?: " d" | "d" } = {},
): string {
  const unit = options.unit ?? " d";
  const tenth = Math.round(value * 10) / 10;
  switch (options.precision ?? "report") {
    case "fixed tenth":
      return `${tenth.toFixed(1)}${unit}`;
    case "tenth":
      return `${tenth}${unit}`;
    case "report":
      return `${value >= 10 ? Math.round(value) : tenth}${unit}`;
  }
}
