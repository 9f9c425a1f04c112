import { useEffect, useState } from 'preact/hooks';

/** A value that components can subscribe to: the page's small amount of shared state. */
export class Store<T> {
  private readonly listeners = new Set<(value: T) => void>();

  /** @param value - the initial value */
  constructor(private value: T) {}

  /** The current value. */
  get(): T {
    return this.value;
  }

  /**
   * Replaces the value and tells the subscribers (only when it changed).
   * @param value - the new value
   */
  set(value: T): void {
    if (Object.is(value, this.value)) return;
    this.value = value;
    for (const listener of [...this.listeners]) listener(value);
  }

  /**
   * Calls `listener` on every change.
   * @returns a function that unsubscribes
   */
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/**
 * The store's value, re-rendering the component when it changes.
 * @param store - the store to follow
 */
export function useStore<T>(store: Store<T>): T {
  const [value, setValue] = useState(store.get());
  useEffect(() => {
    setValue(store.get());
    return store.subscribe(setValue);
  }, [store]);
  return value;
}
