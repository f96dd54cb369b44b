using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Cream.Client;

/// <summary>
/// The service answered with an error. Carries the RFC 9457 problem detail and, from the token
/// endpoints, the RFC 6749 <c>error</c>. The message holds only the status and the server's
/// <c>detail</c>, never a token or a password.
/// </summary>
public class CreamApiException : Exception
{
    /// <summary>Creates an exception without a response (for tests and wrappers).</summary>
    public CreamApiException()
    {
    }

    /// <summary>Creates an exception without a response (for tests and wrappers).</summary>
    public CreamApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception without a response (for tests and wrappers).</summary>
    public CreamApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    private protected CreamApiException(HttpStatusCode statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status of the response.</summary>
    public HttpStatusCode StatusCode { get; private set; }

    /// <summary>The problem's <c>title</c>, if any.</summary>
    public string? Title { get; private set; }

    /// <summary>The problem's <c>detail</c>: the contract's text, such as <c>Incorrect email or password</c>.</summary>
    public string? Detail { get; private set; }

    /// <summary>The RFC 6749 error code, such as <c>invalid_grant</c>, from the token endpoints.</summary>
    public string? Error { get; private set; }

    /// <summary>The RFC 6749 <c>error_description</c>, from the token endpoints.</summary>
    public string? ErrorDescription { get; private set; }

    /// <summary>The messages of each invalid field of a 422 answer, by field name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; private set; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>How long to wait before trying again, from the <c>Retry-After</c> header of a 429 or 503.</summary>
    public TimeSpan? RetryAfter { get; private set; }

    /// <summary>Reads an error response into an exception; the response is not disposed.</summary>
    internal static async Task<CreamApiException> FromResponseAsync(
        HttpResponseMessage response, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var problem = await ReadProblemAsync(response, cancellationToken).ConfigureAwait(false);
        var detail = problem?.Detail;
        var message = $"{(int)response.StatusCode} {response.ReasonPhrase ?? response.StatusCode.ToString()}"
            + (string.IsNullOrEmpty(detail) ? "" : $": {detail}");
        var exception = problem is { Error: CreamMfaRequiredException.ErrorCode, MfaToken: { Length: > 0 } mfaToken }
            ? new CreamMfaRequiredException(response.StatusCode, message, mfaToken, problem.MfaTokenExpiresIn)
            : new CreamApiException(response.StatusCode, message);
        exception.Title = problem?.Title;
        exception.Detail = detail;
        exception.Error = problem?.Error;
        exception.ErrorDescription = problem?.ErrorDescription;
        exception.Errors = problem?.Errors?.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal)
            ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        exception.RetryAfter = RetryAfterOf(response, timeProvider);
        return exception;
    }

    private static async Task<ProblemBody?> ReadProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is null || !mediaType.EndsWith("json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            return await response.Content.ReadFromJsonAsync(CreamJsonContext.Default.ProblemBody, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null; // an unreadable error body still leaves the status to report
        }
    }

    private static TimeSpan? RetryAfterOf(HttpResponseMessage response, TimeProvider timeProvider) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - timeProvider.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
}

/// <summary>
/// The password was right and the account has two-factor on: no tokens yet. Finish the login with
/// <see cref="CreamClient.VerifyMfaAsync"/>, giving it <see cref="MfaToken"/> and a code from the
/// user's authenticator app (or one of their recovery codes). A 401 <see cref="CreamApiException"/>
/// (<c>mfa_required</c>), so callers that only know that type still see a refused login.
/// </summary>
public sealed class CreamMfaRequiredException : CreamApiException
{
    /// <summary>The RFC 6749-style error code of this answer.</summary>
    public const string ErrorCode = "mfa_required";

    /// <summary>Creates an exception without a response (for tests and wrappers).</summary>
    public CreamMfaRequiredException()
    {
    }

    /// <summary>Creates an exception without a response (for tests and wrappers).</summary>
    public CreamMfaRequiredException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception without a response (for tests and wrappers).</summary>
    public CreamMfaRequiredException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal CreamMfaRequiredException(HttpStatusCode statusCode, string message, string mfaToken, int? expiresInSeconds)
        : base(statusCode, message)
    {
        MfaToken = mfaToken;
        ExpiresIn = expiresInSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
    }

    /// <summary>What finishes this login (opaque, single use, a few minutes); never logged or shown.</summary>
    public string MfaToken { get; } = "";

    /// <summary>How long <see cref="MfaToken"/> works, when the server says.</summary>
    public TimeSpan? ExpiresIn { get; }
}
