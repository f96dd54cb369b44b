using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Cream.Api.Common;

/// <summary>How much a request may carry: bodies of this API are small JSON documents and forms.</summary>
public static class RequestLimits
{
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static IHostApplicationBuilder AddRequestLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            kestrel.Limits.MaxRequestHeaderCount = 64;
            kestrel.Limits.MaxRequestLineSize = 8 * 1024;
        });
        builder.Services.Configure<FormOptions>(form =>
        {
            form.ValueCountLimit = 32;
            form.KeyLengthLimit = 256;
            form.ValueLengthLimit = 16 * 1024;
            form.MultipartBodyLengthLimit = MaxRequestBodyBytes;
        });
        return builder;
    }

    /// <summary>
    /// Kestrel enforces the body limit while reading; refusing a declared oversize body up front
    /// gives the same answer on every server (and in the test host).
    /// </summary>
    public static WebApplication UseRequestLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(static (context, next) =>
        {
            if (context.Request.ContentLength > MaxRequestBodyBytes)
            {
                context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
                return Task.CompletedTask;
            }

            return next(context);
        });
        return app;
    }
}
