namespace Cream.Api.Audit;

/// <summary>
/// The request an audit row is written in, for exactly as long as it runs. It stands in for
/// <c>IHttpContextAccessor</c>: registering that makes the host give up reusing each connection's
/// <c>HttpContext</c> (it must assume the accessor keeps one past its request), so every request
/// would allocate a new context, request and response. Here the hold is dropped when the request
/// ends, so a late reader gets nothing rather than the next request on that connection. That
/// includes the server's callbacks after the pipeline returns (<c>Response.OnCompleted</c>): an
/// audit written there would have no address, agent or request id (none is written there).
/// </summary>
internal static class AuditRequest
{
    private static readonly AsyncLocal<Hold?> current = new();

    /// <summary>The request running in this flow, or null outside one (a command, a background task).</summary>
    public static HttpContext? Current => current.Value?.Context;

    /// <summary>Holds each request for <see cref="Current"/>; first in the pipeline, so every audit sees it.</summary>
    public static WebApplication UseAuditRequest(this WebApplication app)
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
        public HttpContext? Context { get; set; } = context;
    }
}
