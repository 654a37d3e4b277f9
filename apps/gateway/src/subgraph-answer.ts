import { STATUS_CODES } from 'node:http';
import type { RemoteGraphQLDataSource } from '@apollo/gateway';

/** Apollo's fetcher contract (@apollo/utils.fetcher), as RemoteGraphQLDataSource declares it. */
export type Fetcher = RemoteGraphQLDataSource['fetcher'];
export type FetcherInit = NonNullable<Parameters<Fetcher>[1]>;
type FetcherResponse = Awaited<ReturnType<Fetcher>>;

/** A subgraph's answer read in full: the one thing callers of a merged fetch share. */
export interface SubgraphAnswer {
  readonly status: number;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

const bodyUsed = () => new TypeError('Body is unusable: Body has already been read');

/**
 * One caller's response built from a shared answer: its own headers, and a body it reads once
 * and parses itself (Apollo mutates the parsed result while merging entities into it).
 */
export class AnswerResponse implements FetcherResponse {
  readonly status: number;
  readonly statusText: string;
  readonly ok: boolean;
  readonly headers: Headers;
  // undici's request() follows no redirect: a 3xx is the answer.
  readonly redirected = false;
  private used = false;

  constructor(
    readonly url: string,
    private readonly answer: SubgraphAnswer,
  ) {
    this.status = answer.status;
    this.statusText = STATUS_CODES[answer.status] ?? '';
    this.ok = answer.status >= 200 && answer.status < 300;
    this.headers = new Headers(answer.headers as Array<[string, string]>);
  }

  get bodyUsed(): boolean {
    return this.used;
  }

  async text(): Promise<string> {
    if (this.used) throw bodyUsed();
    this.used = true;
    return this.answer.body;
  }

  async json(): Promise<any> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(await this.text()).buffer;
  }

  clone(): AnswerResponse {
    if (this.used) throw bodyUsed();
    return new AnswerResponse(this.url, this.answer);
  }
}
