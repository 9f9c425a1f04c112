import { Catch, PayloadTooLargeException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { argsTooLarge } from './analyze-args.js';

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * Replaces multer's terse "File too large" with the reason and what to do instead; other 413s (the controller's
 * own) pass through as they are.
 */
@Catch(PayloadTooLargeException)
export class UploadTooLargeFilter implements ExceptionFilter {
  catch(exception: PayloadTooLargeException, host: ArgumentsHost): void {
    const fromMulter = (exception.cause as { code?: unknown } | undefined)?.code === 'LIMIT_FILE_SIZE';
    const answer = fromMulter ? argsTooLarge('The file is too large') : exception;
    host.switchToHttp().getResponse<JsonResponse>().status(answer.getStatus()).json(answer.getResponse());
  }
}
