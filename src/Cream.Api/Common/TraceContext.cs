using System.Diagnostics;

namespace Cream.Api.Common;

/// <summary>
/// A W3C trace context (<c>traceparent</c>): the trace a request belongs to, the request's own
/// span in it, the caller's span (zeros when the trace began here) and the sampled flag.
/// </summary>
internal sealed record TraceContext(ActivityTraceId TraceId, ActivitySpanId SpanId, ActivitySpanId ParentSpanId, ActivityTraceFlags Flags)
{
    /// <summary>As <c>traceparent</c> writes it, <c>00-{trace id}-{span id}-{flags}</c>, as the host's activity id reads.</summary>
    public string Id => $"00-{TraceId.ToHexString()}-{SpanId.ToHexString()}-{(Flags.HasFlag(ActivityTraceFlags.Recorded) ? "01" : "00")}";

    public static TraceContext Of(Activity activity) =>
        new(activity.TraceId, activity.SpanId, activity.ParentSpanId, activity.ActivityTraceFlags);

    /// <summary>
    /// A new span for a request: in the caller's trace when it sent a valid <c>traceparent</c>
    /// (with its <c>tracestate</c>, both as W3C Trace Context defines them), else in a new trace.
    /// Two <c>traceparent</c> headers arrive joined by a comma, which is not valid: a new trace.
    /// </summary>
    public static TraceContext ForRequest(string? traceParent, string? traceState)
    {
        var span = ActivitySpanId.CreateRandom();
        return traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var caller)
            ? new TraceContext(caller.TraceId, span, caller.SpanId, caller.TraceFlags)
            : new TraceContext(ActivityTraceId.CreateRandom(), span, default, ActivityTraceFlags.None);
    }
}
