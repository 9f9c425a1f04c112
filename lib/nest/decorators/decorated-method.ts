import { InvalidOptionsError } from '../../core/errors.js';

/**
 * Names the decorated method (`Class.method`) and checks that the decorator sits on a method.
 * @internal
 */
export function decoratedMethod(decorator: string, target: object, key: string | symbol, descriptor: PropertyDescriptor | undefined): string {
  const owner = typeof target === 'function' ? `${target.name} (static)` : target.constructor.name;
  const where = `${owner}.${String(key)}`;
  if (typeof descriptor?.value !== 'function') throw new InvalidOptionsError(`${decorator} on ${where}: it must decorate a method`);
  if (typeof target === 'function') throw new InvalidOptionsError(`${decorator} on ${where}: it must decorate an instance method, not a static one`);
  return where;
}
