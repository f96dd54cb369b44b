using System.Diagnostics;

namespace Cream.Api.Common;

/// <summary>
/// The request running in this flow: the audit trail reads its address, agent and id, log lines
/// and problem details its names and trace. It stands in for <c>IHttpContextAccessor</c>:
/// registering that makes the host give up reusing each connection's <c>HttpContext</c> (it must
/// assume the accessor keeps one past its request), so every request would allocate a new
/// context, request and response. Here the context is held for exactly as long as the request
/// runs, so a late reader gets nothing rather than the next request on that connection; the
/// names and trace, copied as the request enters, stay with work the request started. Nothing
/// is held for the server's callbacks after the pipeline returns (<c>Response.OnCompleted</c>):
/// an audit written there would have no address, agent or request id (none is written there).
/// </summary>
internal static class CurrentRequest
{
    private static readonly AsyncLocal<Hold?> current = new();

    /// <summary>The request running in this flow, or null outside one (a command, a background task).</summary>
    public static HttpContext? Context => current.Value?.Context;

    /// <summary>
    /// The request this flow belongs to, named as log lines name it; unlike <see cref="Context"/>, it
    /// stays readable in work the request started that outlives it. Null outside a request.
    /// </summary>
    public static RequestNames? Names => current.Value?.Names;

    /// <summary>
    /// The trace this flow is in (ADR 26): the host's activity, or the running one inside it, when
    /// the host started one (a listener or the host's own request logging asked for it); else the
    /// request's own, made the first time it is read. Outside a request, the running activity's.
    /// </summary>
    public static TraceContext? Trace
    {
        get
        {
            var hold = current.Value;
            if (hold is { HostActivity: null })
            {
                // Activities other sources start here are roots of traces of their own, not the caller's.
                return hold.Trace;
            }

            return (Activity.Current ?? hold?.HostActivity) is { IdFormat: ActivityIdFormat.W3C } activity ? TraceContext.Of(activity) : null;
        }
    }

    /// <summary>Holds each request for <see cref="Context"/>; first in the pipeline, so every reader sees it.</summary>
    public static WebApplication UseCurrentRequest(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(static async (context, next) =>
        {
            // Set inside this async method, the value is restored for the caller when it returns.
            var hold = new Hold(context);
            current.Value = hold;
            try
            {
                await next(context);
            }
            finally
            {
                hold.Context = null;
            }
        });
        return app;
    }

    /// <summary>
    /// What a request's log lines and trace need, taken as it enters (strings it already has), so
    /// that nothing reads a context the server may have reused for the next request.
    /// </summary>
    private sealed class Hold(HttpContext context)
    {
        private readonly string? _traceParent = context.Request.Headers.TraceParent;
        private readonly string? _traceState = context.Request.Headers.TraceState;
        private TraceContext? _trace;

        public HttpContext? Context { get; set; } = context;

        public RequestNames Names { get; } = new(context.TraceIdentifier, context.Request.Path);

        /// <summary>The host's activity for this request, when it started one.</summary>
        public Activity? HostActivity { get; } = Activity.Current;

        /// <summary>Made once per request, whichever reader comes first; two racing readers agree.</summary>
        public TraceContext Trace =>
            _trace ?? Interlocked.CompareExchange(ref _trace, TraceContext.ForRequest(_traceParent, _traceState), null) ?? _trace;
    }
}

/// <summary>A request as log lines name it: its id (the <c>X-Request-Id</c> header) and path.</summary>
internal readonly record struct RequestNames(string Id, PathString Path);
