/** The settings the package check passes to every consumer process. */
export function env(name: 'REDIS_URL' | 'JOBCRAFT_NAMESPACE'): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
