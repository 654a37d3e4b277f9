import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';
import type { Request, RequestHandler, Response } from 'express';
import { inSpan, startSpan, traceHeaders, withRequestLogFields } from '@compliance-graph/config';

let enabled = false;

export interface Tracing {
  /** Exports the spans still buffered, then stops tracing (the API is a no-op again). */
  stop(): Promise<void>;
}

const OFF: Tracing = { stop: async () => undefined };
const EXPORTERS = ['otlp', 'console', 'none'] as const;

/**
 * Which exporter the standard variables ask for, or none: tracing is off unless
 * OTEL_TRACES_EXPORTER names one (or an OTLP endpoint is set), and OTEL_SDK_DISABLED=true
 * turns it off whatever else is set. (The specification's default exporter is otlp; ours is
 * off, so a deployment without a collector sends nothing anywhere.)
 */
function exporterFromEnv(env: NodeJS.ProcessEnv): SpanExporter | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const named = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() || (endpoint ? 'otlp' : 'none');
  if (!(EXPORTERS as readonly string[]).includes(named)) {
    throw new Error(`OTEL_TRACES_EXPORTER must be one of ${EXPORTERS.join(', ')} (this build exports traces one way at a time), not "${named}"`);
  }
  if (named === 'otlp') return new OTLPTraceExporter(); // reads OTEL_EXPORTER_OTLP_* itself
  if (named === 'console') return new ConsoleSpanExporter();
  return undefined;
}

/**
 * Turns tracing on for this process when the standard OTEL_* variables say so (see
 * exporterFromEnv), or with `exporter` (tests: an InMemorySpanExporter, each span exported as it
 * ends). W3C trace context is the only propagator. Off, it registers nothing: every span call is
 * the API's no-op and no request carries a traceparent.
 */
export function startTracing(service: string, options: { exporter?: SpanExporter; env?: NodeJS.ProcessEnv } = {}): Tracing {
  const env = options.env ?? process.env;
  const exporter = options.exporter ?? exporterFromEnv(env);
  if (!exporter) return OFF;
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || service }),
    spanProcessors: [options.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  enabled = true;
  return {
    async stop() {
      enabled = false;
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/**
 * Runs an outgoing call in a client span, child of the current one, handing it the headers
 * that carry the span to the callee. Its attributes name the callee's host, port and route
 * template only.
 */
export function inClientSpan<T>(name: string, url: URL, call: (headers: Record<string, string>) => Promise<T>): Promise<T> {
  if (!enabled) return call({});
  const attributes = { [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: Number(url.port) || undefined, [ATTR_URL_PATH]: url.pathname };
  return inSpan(name, { kind: SpanKind.CLIENT, attributes }, () => call(traceHeaders()));
}

export interface RequestScopeOptions {
  /** The request id the caller sent, when it may be believed (a subgraph: the gateway's); otherwise a new one. */
  requestIdOf?: (req: IncomingMessage) => string | undefined;
  /** Whether the request's own traceparent may be continued; otherwise its span starts a new trace. */
  continuesTrace: (req: IncomingMessage) => boolean;
}

/** The request id requestScope gave the request. */
export const requestIdOf = (res: Response): string => res.locals.requestId as string;

/**
 * Express middleware: gives the request its id and, when tracing is on, a server span named by
 * method and route template (never the path itself, which can hold a slug or an id); the rest
 * of the request runs inside both, so every log entry carries `requestId` (and `traceId`).
 */
export function requestScope(options: RequestScopeOptions): RequestHandler {
  return (req: Request, res: Response, next) => {
    const requestId = options.requestIdOf?.(req) ?? randomUUID();
    res.locals.requestId = requestId;
    if (!enabled) return withRequestLogFields({ requestId }, next);
    const parent = options.continuesTrace(req) ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
    const span = startSpan(req.method, { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: req.method } }, parent);
    res.once('close', () => {
      const route = `${req.baseUrl}${(req.route as { path?: string } | undefined)?.path ?? ''}`;
      if (route) span.updateName(`${req.method} ${route}`).setAttribute(ATTR_HTTP_ROUTE, route);
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, res.statusCode);
      if (res.statusCode >= 500 || !res.writableFinished) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), () => withRequestLogFields({ requestId, traceId: span.spanContext().traceId }, next));
  };
}
