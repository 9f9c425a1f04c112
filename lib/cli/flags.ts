import { InvalidArgumentError, Option, type Command } from 'commander';
import type { JobState } from '../core/index.js';
import { EXIT_USAGE } from './context.js';

/** Every job state; a state added to `JobState` fails to compile here until it is listed. */
const STATE_SET: Record<JobState, true> = {
  scheduled: true,
  queued: true,
  active: true,
  retrying: true,
  completed: true,
  dead: true,
  cancelled: true,
};

/** Every job state, in life order. */
export const STATES = Object.keys(STATE_SET) as JobState[];

/**
 * The `--state <state>` flag, restricted to the job states (anything else is a usage error).
 * @param description - what the state selects
 * @param fallback - the default, shown in help
 */
export function stateOption(description: string, fallback?: JobState): Option {
  const option = new Option('--state <state>', description).choices(STATES);
  return fallback === undefined ? option : option.default(fallback);
}

/**
 * Parses a positive whole number flag value within `max`.
 * @throws {@link InvalidArgumentError} (a usage error) otherwise
 */
export function positiveInt(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || n > max) throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return n;
  };
}

/**
 * Ends the command with a usage error: the message, a usage hint and exit status 2.
 * @param command - the command that was misused (its help hint is printed)
 * @param message - what is wrong
 */
export function usageError(command: Command, message: string): never {
  return command.error(`error: ${message}`, { exitCode: EXIT_USAGE, code: 'jobcraft.usage' });
}
