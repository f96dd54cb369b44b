using System.Diagnostics;

namespace Cream.Api.Common;

/// <summary>
/// The request running in this flow, for exactly as long as it runs: the audit trail reads its
/// address, agent and id, log lines and problem details its trace. It stands in for
/// <c>IHttpContextAccessor</c>: registering that makes the host give up reusing each connection's
/// <c>HttpContext</c> (it must assume the accessor keeps one past its request), so every request
/// would allocate a new context, request and response. Here the hold is dropped when the request
/// ends, so a late reader gets nothing rather than the next request on that connection. That
/// includes the server's callbacks after the pipeline returns (<c>Response.OnCompleted</c>): an
/// audit written there would have no address, agent or request id (none is written there).
/// </summary>
internal static class CurrentRequest
{
    private static readonly AsyncLocal<Hold?> current = new();

    /// <summary>The request running in this flow, or null outside one (a command, a background task).</summary>
    public static HttpContext? Context => current.Value?.Context;

    /// <summary>
    /// The trace this flow is in: the running <see cref="Activity"/>'s when there is one (the host
    /// starts one when a listener or its own request logging asks for it), else the request's own,
    /// made the first time it is read (ADR 26); null outside a request without an activity.
    /// </summary>
    public static TraceContext? Trace =>
        Activity.Current is { IdFormat: ActivityIdFormat.W3C } activity ? TraceContext.Of(activity) : current.Value?.Trace;

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

    private sealed class Hold(HttpContext context)
    {
        private TraceContext? _trace;

        public HttpContext? Context { get; set; } = context;

        /// <summary>Made once per request, whichever reader comes first; two racing readers agree.</summary>
        public TraceContext? Trace
        {
            get
            {
                if (Context is not { } request)
                {
                    return null;
                }

                return _trace ?? Interlocked.CompareExchange(ref _trace, TraceContext.ForRequest(request.Request.Headers), null) ?? _trace;
            }
        }
    }
}
