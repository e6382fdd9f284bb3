import { formatDays } from "../format-days.ts";
/** The four cycle-time percentiles every Flow chart draws as horizontal lines. */
export type PercentileLevels = {
  p50: number | null;
  p70: number | null;
  p85: number | null;
  p95: number | null;
};

const LINE_STYLES = [
  { key: "p50", label: "50%", color: "#2e9e5b" },
  { key: "p70", label: "70%", color: "#c9a227" },
  { key: "p85", label: "85%", color: "#e07b24" },
  { key: "p95", label: "95%", color: "#c0392b" },
] as const;

/** Dot colours by pace zone: below p50, p50–p70, p70–p85, p85–p95, above p95. */
const ZONE_COLORS = ["#2e9e5b", "#9bbb2e", "#c9a227", "#e07b24", "#c0392b"] as const;
const NEUTRAL_DOT = "#4a6fd1";

/**
 * echarts markLine entries for the known percentiles; labels sit at the right end of each line. Lines closer
 * than a label's height (on an axis topping out at `axisTop`) share one label on the highest of them,
 * e.g. "50–95% 5–10d", so the text never overlaps.
 */
export function percentileMarkLines(levels: PercentileLevels, axisTop: number) {
  const known = LINE_STYLES.flatMap((style) => {
    const value = levels[style.key];
    return value === null ? [] : [{ ...style, value }];
  });
  const minGap = axisTop * 0.045;
  const groups: (typeof known)[] = [];
  for (const line of known) {
    const group = groups.at(-1);
    if (group && line.value - group.at(-1)!.value < minGap) group.push(line);
    else groups.push([line]);
  }
  return groups.flatMap((group) => {
    const top = group.at(-1)!;
    const first = group[0]!;
    const label =
      group.length === 1
        ? `${top.label} ${formatDays(top.value, { unit: "d" })}`
        : `${first.label.replace("%", "")}–${top.label} ${formatDays(first.value, { unit: "d" }).replace("d", "")}–${formatDays(top.value, { unit: "d" })}`;
    return group.map((line) => ({
      yAxis: line.value,
      lineStyle: { color: line.color, type: "dashed" as const, width: 1.5 },
      label:
        line === top
          ? { formatter: label, color: line.color, position: "end" as const, fontSize: 12 }
          : { show: false },
    }));
  });
}

/** Colour of a value by the percentile zone it falls in; neutral when no percentile is known yet. */
export function zoneColor(value: number, levels: PercentileLevels): string {
  const known = [levels.p50, levels.p70, levels.p85, levels.p95];
  if (known.every((v) => v === null)) return NEUTRAL_DOT;
  // Percentiles are ascending, so the number of levels a value exceeds is its zone.
  const zone = known.filter((level) => level !== null && value > level).length;
  return ZONE_COLORS[zone]!;
}

/** The y-axis top: enough headroom for the highest dot and the highest percentile line. */
export function axisMax(values: Iterable<number>, levels: PercentileLevels): number {
  let max = 1;
  for (const v of values) if (v > max) max = v;
  for (const v of [levels.p50, levels.p70, levels.p85, levels.p95]) if (v !== null && v > max) max = v;
  const top = max * 1.08;
  return top <= 10 ? Math.ceil(top) : Math.ceil(top / 5) * 5;
}
