import { InvalidOptionsError } from '../errors.js';

/**
 * The `@opentelemetry/api` module, as loaded at run time. Only its type is named statically (erased at compile time),
 * so jobcraft loads without the package; see {@link loadOtelApi}.
 * @internal
 */
export type OtelApi = typeof import('@opentelemetry/api');

/** Imports `@opentelemetry/api` (replaceable in tests to simulate a missing package). @internal */
export type OtelImporter = () => Promise<OtelApi>;

/** The package tracing needs: an optional peer dependency. @internal */
export const OTEL_API_PACKAGE = '@opentelemetry/api';

/** The default importer; a variable, so the compiler keeps one dynamic import in both the ESM and the CJS build. */
const importOtelApi: OtelImporter = () => import('@opentelemetry/api');

/**
 * Creates a loader that imports `@opentelemetry/api` the first time it is called and returns the same module after
 * that. A failed import is not cached (installing the package and retrying works), and becomes an
 * {@link InvalidOptionsError} naming the option and the missing package.
 * @param importer - how to import the package (default: a dynamic `import()`)
 * @returns the loader; its argument names the option in the error (e.g. `WorkerPool.tracing`)
 * @internal
 */
export function createOtelLoader(importer: OtelImporter = importOtelApi): (field: string) => Promise<OtelApi> {
  let loaded: OtelApi | undefined;
  let loading: Promise<OtelApi> | undefined;
  return async (field) => {
    if (loaded) return loaded;
    loading ??= importer().then(
      (api) => (loaded = api),
      (err: unknown) => {
        loading = undefined;
        throw new InvalidOptionsError(
          `${field} is true, but the optional peer dependency "${OTEL_API_PACKAGE}" could not be loaded ` +
            `(install it: npm install ${OTEL_API_PACKAGE}): ${err instanceof Error ? err.message : String(err)}`,
        );
      },
    );
    return loading;
  };
}

/**
 * Loads `@opentelemetry/api` once per process, on the first use of `tracing: true`; nothing imports it statically.
 * @param field - the option that asked for tracing, named in the error
 * @returns the API module
 * @throws {@link InvalidOptionsError} naming `field` and the package, if it cannot be loaded (not installed)
 * @internal
 */
export const loadOtelApi = createOtelLoader();
