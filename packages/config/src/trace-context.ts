import { ROOT_CONTEXT, SpanStatusCode, context, propagation, trace, type Link, type Span, type SpanOptions } from '@opentelemetry/api';

/*
 * Spans and W3C trace context through the OpenTelemetry API only, for every package: the
 * runtime registers the SDK when tracing is on (startTracing), and until then each call here is
 * the API's no-op, so no header is sent and no span recorded.
 */

const tracer = () => trace.getTracer('compliance-graph');

/** The trace context headers (`traceparent`, `tracestate`) of the current span, for a request to send. */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(context.active(), headers);
  return headers;
}

/** The current span's W3C traceparent, or null when there is none (tracing off). */
export const currentTraceparent = (): string | null => traceHeaders().traceparent ?? null;

/** A link to the span a stored traceparent names, or none when it names no valid span. */
export function linkTo(traceparent: string): Link[] {
  const spanContext = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent }));
  return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}

/** Runs `work` in a span, current for everything it starts; the span fails (by error type, never message) when `work` does. */
export function inSpan<T>(name: string, options: SpanOptions, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, options, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.name : undefined });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Starts a span (not made current), for a caller that ends it itself. */
export const startSpan = (name: string, options: SpanOptions, parent = ROOT_CONTEXT): Span => tracer().startSpan(name, options, parent);
