import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post } from '@nestjs/common';
import { Enqueuer, type JobInfo } from '../../lib/index.js';
import type { Jobs } from '../jobs.js';
import type { FoodArgs } from './food.jobs.js';

/**
 * Checks a `POST /food` body.
 * @throws {BadRequestException} naming what is wrong
 */
function parseFoodArgs(body: unknown): FoodArgs {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new BadRequestException('Send a JSON object { "task": <positive integer>, "food": "<text>" }');
  }
  const { task, food, ...rest } = body as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof task !== 'number' || !Number.isSafeInteger(task) || task < 1) problems.push(`task must be a positive integer, got ${JSON.stringify(task) ?? 'nothing'}`);
  if (typeof food !== 'string' || food.trim() === '' || food.length > 200) problems.push(`food must be a non-empty string of at most 200 characters, got ${JSON.stringify(food) ?? 'nothing'}`);
  for (const k of Object.keys(rest)) problems.push(`unknown field "${k}"`);
  if (problems.length) throw new BadRequestException(problems);
  return { task: task as number, food: food as string };
}

/** Enqueues `food` jobs and reads them back by id. */
@Controller('food')
export class FoodController {
  constructor(private readonly enqueuer: Enqueuer<Jobs>) {}

  /** `{ task, food }` → 202 `{ id }`; a worker on any instance runs it. */
  @Post()
  @HttpCode(202)
  async create(@Body() body: unknown): Promise<{ id: string }> {
    const job = await this.enqueuer.enqueue('food', parseFoodArgs(body));
    return { id: job.id };
  }

  /** The job as stored: state, attempts, and its result once completed. */
  @Get(':id')
  async get(@Param('id') id: string): Promise<JobInfo<FoodArgs, string>> {
    const job = await this.enqueuer.getJob<FoodArgs, string>(id);
    if (!job || job.name !== 'food') throw new NotFoundException(`No food job with id "${id}"`);
    return job;
  }
}
