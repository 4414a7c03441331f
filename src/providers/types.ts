// Provider adapters: pure functions from a provider's raw webhook request to SendGrid-dialect events.
export interface ProviderRequest {
  /** Raw body bytes exactly as received (signatures cover them). */
  body: Buffer;
  /** Media type, lower-case, without parameters (e.g. 'application/json', 'text/plain'). */
  contentType: string;
  /** Header values by lower-case name (first value when repeated). */
  headers: Readonly<Record<string, string | undefined>>;
}
/** One SendGrid-dialect event produced from a provider item. */
export interface MappedEvent {
  event: Record<string, unknown>;
  /** When set, replaces the SPEC section 4 fingerprint: the provider's stable id (J10), or `request:<unit>` for derived requests. */
  dedupeKey?: string;
}
/** One item of the provider's payload: the original kept whole for quarantine, and what it maps to. */
export interface ProviderItem {
  original: unknown;
  /** Zero events = accepted and ignored (e.g. an event type that changes no metric); `error` = quarantined with this reason. */
  mapped: MappedEvent[] | { error: string };
}
export interface ProviderAdapter {
  readonly name: string;
  /** Throws ApiError('bad_request', ['error in body: …']) when the body is not this provider's envelope at all. */
  parse(request: ProviderRequest): ProviderItem[];
  /**
   * For providers whose body may be a JSON array of independent events: how one element maps,
   * so that the route can split, count (and refuse over the cap) and parse a large array a slice
   * at a time instead of calling parse() on it. For an array body, parse() must give exactly the
   * elements mapped one by one.
   */
  readonly arrayElements?: {
    map(element: unknown): ProviderItem;
    /** Rewrites JSON text (whole elements) before it is parsed; must not change their number. */
    prepare?(json: string): string;
  };
}
