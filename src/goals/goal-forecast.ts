/**
 * The seam for "will the linked open tasks finish by the goal's due date" (issue 16 item 4): the Monte Carlo
 * forecast (src/flow/forecast) answers it once wired in. Until then no line is shown: flowbot never prints
 * a guess in its place.
 */
type GoalForecastInput = {
  projectId: number;
  goalId: string;
  /** The project's unfinished tracked tasks the goal's key results name or cover. */
  openTaskIds: readonly string[];
  dueAt: Date;
  now: Date;
};

/** One line of mrkdwn ("85% likely to finish by 12 Jan"), or undefined for none. */
export type GoalForecast = (input: GoalForecastInput) => Promise<string | undefined>;

/** No forecast yet: the goals section shows progress and due date only. */
export const noGoalForecast: GoalForecast = async () => undefined;
