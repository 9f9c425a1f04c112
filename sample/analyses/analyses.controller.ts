import {
  BadRequestException,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Req,
  UploadedFile,
  UseFilters,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { IncomingMessage } from 'node:http';
import { Enqueuer, type JobError, type JobState, type JsonValue } from '../../lib/index.js';
import type { Jobs } from '../jobs.js';
import type { AnalyzeArgs } from './analysis.jobs.js';
import type { Analysis } from './analyze-text.js';
import { MAX_ARGS_BYTES, toAnalyzeArgs } from './analyze-args.js';
import { readTextBody } from './read-text-body.js';
import { UploadTooLargeFilter } from './upload-too-large.filter.js';

/** The part of a multer file this controller reads (memory storage). */
interface UploadedTextFile {
  originalname: string;
  buffer: Buffer;
}

/** What `GET /analyses/:id` answers. */
export interface AnalysisView {
  id: string;
  filename: string | null;
  state: JobState;
  /** Percent done, as last reported by the worker. */
  progress: JsonValue;
  attempts: number;
  enqueuedAt: string;
  finishedAt?: string;
  /** Once completed. */
  result?: Analysis;
  /** The last failure, if any. */
  error?: Pick<JobError, 'name' | 'message' | 'attempt'>;
}

/**
 * File analyses that outlive the request: `POST` stores the file in a job and answers 202 at once; any instance's
 * worker analyses it; `GET` reads the job (state, progress, result) from Redis, on any instance, for 7 days.
 */
@Controller('analyses')
@UseFilters(UploadTooLargeFilter)
export class AnalysesController {
  constructor(private readonly enqueuer: Enqueuer<Jobs>) {}

  /** Takes a text file (multipart field `file`, or a raw `text/plain` body) and enqueues its analysis. */
  @Post()
  @HttpCode(202)
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_ARGS_BYTES, files: 1 } }))
  async create(@UploadedFile() file: UploadedTextFile | undefined, @Req() req: IncomingMessage): Promise<{ id: string }> {
    let args: AnalyzeArgs;
    if (file) args = toAnalyzeArgs(file.buffer, file.originalname);
    else if (/^text\/plain\b/i.test(req.headers['content-type'] ?? '')) args = toAnalyzeArgs(await readTextBody(req, MAX_ARGS_BYTES), null);
    else {
      throw new BadRequestException(
        'Send a text file as the multipart field "file" (curl -F file=@notes.txt) or as a text/plain body ' +
          `(curl -H 'Content-Type: text/plain' --data-binary @notes.txt)`,
      );
    }
    const job = await this.enqueuer.enqueue('analyze', args);
    return { id: job.id };
  }

  /** The analysis's state and progress, and its result once completed. */
  @Get(':id')
  async get(@Param('id') id: string): Promise<AnalysisView> {
    const job = await this.enqueuer.getJob<AnalyzeArgs, Analysis>(id);
    if (!job || job.name !== 'analyze') throw new NotFoundException(`No analysis with id "${id}" (never created, or its 7 days are over)`);
    const view: AnalysisView = {
      id: job.id,
      filename: job.args.filename,
      state: job.state,
      progress: job.progress ?? 0,
      attempts: job.attempts,
      enqueuedAt: new Date(job.enqueuedAt).toISOString(),
    };
    if (job.finishedAt !== undefined) view.finishedAt = new Date(job.finishedAt).toISOString();
    if (job.result !== undefined) view.result = job.result;
    if (job.error) view.error = { name: job.error.name, message: job.error.message, attempt: job.error.attempt };
    return view;
  }
}
