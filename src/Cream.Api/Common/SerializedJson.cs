namespace Cream.Api.Common;

/// <summary>
/// Writes JSON serialized once beforehand: with its length (so neither the serializer nor
/// chunked framing runs per request), as <see cref="TypedResults.Ok{TValue}(TValue)"/> would
/// write the same value.
/// </summary>
public static class SerializedJson
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteAsync(HttpContext httpContext, byte[] json)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(json);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        return response.Body.WriteAsync(json).AsTask();
    }
}
