/** How this instance of the sample runs; provided to the app by {@link AppModule.forRoot}. */
export class SampleConfig {
  /**
   * @param redis - Redis URL
   * @param namespace - jobcraft namespace (every instance of the app uses the same one)
   * @param instanceId - this instance's name, e.g. `myhost:3000`
   * @param port - HTTP port
   */
  constructor(
    readonly redis: string,
    readonly namespace: string,
    readonly instanceId: string,
    readonly port: number,
  ) {}
}
