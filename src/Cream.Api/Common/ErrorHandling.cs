using Microsoft.AspNetCore.Diagnostics;

namespace Cream.Api.Common;

/// <summary>
/// A failure that means "try again shortly" rather than a bug: answered 503 with
/// <c>Retry-After</c> and its own detail (a sign-in storm that is being shed, say).
/// </summary>
public class ServiceUnavailableException(string detail, int retryAfterSeconds, string? message = null)
    : Exception(message ?? detail)
{
    public string Detail { get; } = detail;

    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}

/// <summary>
/// Tells the error handler which exceptions of a dependency mean it is unavailable (503) and
/// not a bug (500); the feature that owns the dependency registers one (the database does).
/// </summary>
public interface IUnavailabilityClassifier
{
    bool IsUnavailable(Exception exception);
}

public static class ErrorHandling
{
    public static IHostApplicationBuilder AddErrorHandling(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Detail ??= Problems.DefaultDetail(status);
            // The same id is in the X-Request-Id header, the request's logs and its audit events.
            context.ProblemDetails.Extensions["request_id"] = context.HttpContext.TraceIdentifier;
            // The host's activity is off by default (ADR 26); the request's trace stands in for it.
            context.ProblemDetails.Extensions["trace_id"] = (CurrentRequest.Trace ?? TraceContext.ForRequest(null, null)).Id;
        });
        builder.Services.AddExceptionHandler<ExceptionToProblemHandler>();
        return builder;
    }

    public static WebApplication UseErrorHandling(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}

/// <summary>
/// Turns request-reading failures into their 4xx, an unavailable dependency into a 503 with
/// <c>Retry-After</c>, and anything unexpected into a 500 that reveals nothing. Handled
/// exceptions are not logged by the framework, so the 5xx ones are logged here.
/// </summary>
internal sealed partial class ExceptionToProblemHandler(
    IProblemDetailsService problemDetails,
    IEnumerable<IUnavailabilityClassifier> classifiers,
    ILogger<ExceptionToProblemHandler> logger) : IExceptionHandler
{
    private const string DependencyRetryAfterSeconds = "5";

    private readonly IUnavailabilityClassifier[] _classifiers = [.. classifiers];

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            Microsoft.AspNetCore.Http.BadHttpRequestException bad => bad.StatusCode,
            InvalidDataException => StatusCodes.Status400BadRequest, // form limits
            System.Text.Json.JsonException => StatusCodes.Status400BadRequest,
            ServiceUnavailableException => StatusCodes.Status503ServiceUnavailable,
            _ when _classifiers.Any(classifier => classifier.IsUnavailable(exception)) => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status500InternalServerError,
        };
        var detail = Problems.DefaultDetail(status);
        if (exception is ServiceUnavailableException shed)
        {
            detail = shed.Detail;
            httpContext.Response.Headers.RetryAfter = shed.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            LogDatabaseUnavailable(logger, exception.GetType().Name, httpContext.Request.Path);
            httpContext.Response.Headers.RetryAfter = DependencyRetryAfterSeconds;
        }
        else if (status >= StatusCodes.Status500InternalServerError)
        {
            LogUnexpected(logger, exception, httpContext.Request.Path);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        // The exception handler cleared the response, security headers included.
        HttpHardening.ApplyHeaders(httpContext);
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
