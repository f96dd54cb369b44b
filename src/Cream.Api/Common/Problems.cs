using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Common;

/// <summary>RFC 9457 problem results; every one carries a <c>detail</c>.</summary>
public static class Problems
{
    public static ProblemHttpResult Create(int status, string detail, string? title = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    /// <summary>422 with the message of every invalid field, as the first version answered bad input.</summary>
    public static ProblemHttpResult Validation(IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary())
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "Invalid input",
            Detail = string.Join(" ", errors.Values.SelectMany(messages => messages)),
        });
    }

    /// <summary>An OAuth 2.0 token-endpoint error (RFC 6749 §5.2) that is also a problem detail.</summary>
    /// <param name="status">The HTTP status.</param>
    /// <param name="error">The RFC 6749 error code.</param>
    /// <param name="description">The detail, also the <c>error_description</c>.</param>
    /// <param name="extra">Members added beside them (such as <c>mfa_token</c>).</param>
    public static ProblemHttpResult OAuth(int status, string error, string description, IEnumerable<KeyValuePair<string, object?>>? extra = null)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["error"] = error,
            ["error_description"] = description,
        };
        foreach (var (name, value) in extra ?? [])
        {
            extensions[name] = value;
        }

        return TypedResults.Problem(detail: description, statusCode: status, extensions: extensions);
    }

    /// <summary>The detail used when a 4xx/5xx response was produced without one.</summary>
    public static string DefaultDetail(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request could not be read: check its body, content type and parameters.",
        StatusCodes.Status401Unauthorized => "Not authenticated",
        StatusCodes.Status403Forbidden => "Access denied",
        StatusCodes.Status404NotFound => "Not found",
        StatusCodes.Status405MethodNotAllowed => "This method is not allowed on this path.",
        StatusCodes.Status406NotAcceptable => "No acceptable representation: this API answers in JSON.",
        StatusCodes.Status408RequestTimeout => "The request took too long to arrive.",
        StatusCodes.Status411LengthRequired => "A Content-Length is required.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status414UriTooLong => "The request URI is too long.",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported content type: send application/json (or a form where documented).",
        StatusCodes.Status422UnprocessableEntity => "The request is invalid.",
        StatusCodes.Status429TooManyRequests => "Too many requests: try again later.",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "The request headers are too large.",
        StatusCodes.Status503ServiceUnavailable => "The database is unavailable: try again shortly.",
        >= 500 => "An unexpected error occurred.",
        _ => "The request failed.",
    };
}
