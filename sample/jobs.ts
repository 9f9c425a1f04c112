import type { AnalyzeArgs } from './analyses/analysis.jobs.js';
import type { FoodArgs } from './food/food.jobs.js';

/**
 * The sample's job map, job name → args. `Enqueuer<Jobs>` checks names and args at compile time (types only:
 * the Enqueuer is injected by its class, whatever the map).
 */
export type Jobs = {
  analyze: AnalyzeArgs;
  food: FoodArgs;
};
