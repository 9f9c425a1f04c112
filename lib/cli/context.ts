import { Enqueuer, Inspector, InvalidJobError, InvalidOptionsError, type ConnectionOptions } from '../core/index.js';

/** Exit status of a run with no failure. */
export const EXIT_OK = 0;
/** Exit status after a failed action (unknown job, Redis unavailable, …). */
export const EXIT_FAILED = 1;
/** Exit status of bad usage (unknown command or flag, invalid value). */
export const EXIT_USAGE = 2;

/** Longest a single Redis call may take before the command gives up (`RedisUnavailableError`). */
const COMMAND_TIMEOUT = '5s';

/** The options every command accepts. */
export interface GlobalOptions {
  /** Redis URL. */
  redis: string;
  /** Key namespace. */
  namespace: string;
  /** Print JSON instead of tables. */
  json?: boolean;
}

/** Where the CLI writes; the process's streams by default. */
export interface Streams {
  /** Command output. */
  stdout: NodeJS.WritableStream;
  /** Errors and hints. */
  stderr: NodeJS.WritableStream;
}

/**
 * What a command runs with: the global options, lazily opened core clients, output helpers and the exit
 * status so far. One per process run; {@link CliContext.close} closes whatever was opened.
 */
export class CliContext {
  private inspectorInstance?: Inspector;
  private enqueuerInstance?: Enqueuer;
  private status = EXIT_OK;

  /**
   * @param globals - reads the parsed global options (available once commander has parsed them)
   * @param streams - where output and errors go
   */
  constructor(
    private readonly globals: () => GlobalOptions,
    readonly streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  ) {}

  /** Whether `--json` was given. */
  get json(): boolean {
    return this.globals().json === true;
  }

  /** The namespace in use. */
  get namespace(): string {
    return this.globals().namespace;
  }

  /**
   * The Inspector for the global options, opened on first use.
   * @throws {@link InvalidOptionsError} if `--redis` or `--namespace` is invalid
   */
  get inspector(): Inspector {
    this.inspectorInstance ??= new Inspector(this.connection());
    return this.inspectorInstance;
  }

  /**
   * The Enqueuer for the global options, opened on first use.
   * @throws {@link InvalidOptionsError} if `--redis` or `--namespace` is invalid
   */
  get enqueuer(): Enqueuer {
    this.enqueuerInstance ??= new Enqueuer(this.connection());
    return this.enqueuerInstance;
  }

  /** The exit status so far: {@link EXIT_FAILED} once any action failed. */
  get exitCode(): number {
    return this.status;
  }

  /** Writes lines of human output (a newline is added). */
  print(text: string): void {
    this.streams.stdout.write(`${text}\n`);
  }

  /** Writes one JSON document (what an Inspector or Enqueuer method returned). */
  printJson(value: unknown): void {
    this.streams.stdout.write(`${JSON.stringify(value ?? null, null, 2)}\n`);
  }

  /**
   * Writes a command's result: the value as JSON with `--json`, else the text (built only when needed).
   * @param value - what the Inspector or Enqueuer method returned
   * @param text - the human form
   */
  output(value: unknown, text: () => string): void {
    if (this.json) this.printJson(value);
    else this.print(text());
  }

  /** Writes text to stdout as is (no newline added). */
  write(text: string): void {
    this.streams.stdout.write(text);
  }

  /** Reports a failed action on stderr and makes the run exit with {@link EXIT_FAILED}; the command goes on. */
  fail(message: string): void {
    this.streams.stderr.write(`jobcraft: ${message}\n`);
    this.status = Math.max(this.status, EXIT_FAILED);
  }

  /**
   * Reports an error that ended the command and returns the exit status: {@link EXIT_USAGE} for invalid options
   * or an invalid job (with a hint), else {@link EXIT_FAILED}.
   * @param err - what the command threw
   */
  abort(err: unknown): number {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof InvalidOptionsError || err instanceof InvalidJobError) {
      this.streams.stderr.write(`jobcraft: ${message}\n(add --help for usage)\n`);
      return EXIT_USAGE;
    }
    this.fail(message);
    return EXIT_FAILED;
  }

  /** Closes the clients that were opened. Idempotent. */
  async close(): Promise<void> {
    const open = [this.inspectorInstance, this.enqueuerInstance];
    this.inspectorInstance = this.enqueuerInstance = undefined;
    await Promise.allSettled(open.map((c) => c?.close()));
  }

  private connection(): ConnectionOptions {
    const { redis, namespace } = this.globals();
    return { redis, namespace, commandTimeout: COMMAND_TIMEOUT };
  }
}
