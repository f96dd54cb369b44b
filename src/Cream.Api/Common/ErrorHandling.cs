using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Cream.Api.Common;

public static class ErrorHandling
{
    /// <summary>Bodies of this API are small JSON documents and forms.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    public static IHostApplicationBuilder AddErrorHandling(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Detail ??= Problems.DefaultDetail(status);
            // The same id is in the X-Request-Id header, the request's logs and its audit events.
            context.ProblemDetails.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
        });
        builder.Services.AddExceptionHandler<ExceptionToProblemHandler>();

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

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Kestrel enforces the body limit while reading; refusing a declared oversize body
        // up front gives the same answer on every server (and in the test host).
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

/// <summary>
/// Turns request-reading failures into their 4xx and anything unexpected into a 500 that
/// reveals nothing. Handled exceptions are not logged by the framework, so the unexpected
/// ones are logged here.
/// </summary>
internal sealed partial class ExceptionToProblemHandler(IProblemDetailsService problemDetails, ILogger<ExceptionToProblemHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            Microsoft.AspNetCore.Http.BadHttpRequestException bad => bad.StatusCode,
            InvalidDataException => StatusCodes.Status400BadRequest, // form limits
            System.Text.Json.JsonException => StatusCodes.Status400BadRequest,
            Cream.Api.Auth.Passwords.PasswordHashingBusyException => StatusCodes.Status503ServiceUnavailable,
            _ when Cream.Api.Data.DbErrors.IsUnavailable(exception) => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        var detail = Problems.DefaultDetail(status);
        if (exception is Cream.Api.Auth.Passwords.PasswordHashingBusyException)
        {
            // A sign-in storm: shed it rather than let hashing starve token validation.
            detail = "Too many sign-ins at once: try again shortly.";
            httpContext.Response.Headers.RetryAfter = "1";
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(logger, exception.GetType().Name, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = "5";
        }
        else if (status >= StatusCodes.Status500InternalServerError)
        {
            LogUnexpected(logger, exception, httpContext.Request.Path);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Detail = detail },
            Exception = exception,
        });
    }

    [LoggerMessage(EventId = 9000, EventName = "UnexpectedException", Level = LogLevel.Error,
        Message = "Unexpected error while handling {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 9001, EventName = "DatabaseUnavailable", Level = LogLevel.Error,
        Message = "The database is unavailable ({Failure}) while handling {Path}")]
    private static partial void LogDatabaseUnavailable(ILogger logger, string failure, string path);
}
