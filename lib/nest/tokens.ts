/** Metadata key of `@JobHandler`. @internal */
export const JOB_HANDLER_METADATA = 'jobcraft:job-handler';
/** Metadata key of `@Middleware`. @internal */
export const MIDDLEWARE_METADATA = 'jobcraft:middleware';
/** Metadata key of `@Periodic`. @internal */
export const PERIODIC_METADATA = 'jobcraft:periodic';
/** Injection token of the validated module options. @internal */
export const RESOLVED_QUEUE_OPTIONS = Symbol('jobcraft:resolved-queue-options');
/** Injection token of the core runtime the module hosts. @internal */
export const JOB_RUNTIME = Symbol('jobcraft:runtime');
