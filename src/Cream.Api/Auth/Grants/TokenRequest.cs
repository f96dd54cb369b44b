using System.Text.Json;
using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Auth.Grants;

/// <summary>
/// A token request, whatever its shape: the OAuth 2.0 form (RFC 6749 §4.3.2 and §6) or the
/// JSON body the first version's web client posts. The email may be named <c>username</c> or
/// <c>email</c> in both; a request without <c>grant_type</c> is a password grant.
/// </summary>
public sealed record TokenRequest(string GrantType, string? Username, string? Password, string? RefreshToken)
{
    /// <summary>The two-factor grant's <c>mfa_token</c> (from the password step's <c>mfa_required</c> answer).</summary>
    public string? MfaToken { get; init; }

    /// <summary>The two-factor grant's code: a TOTP code or a recovery code.</summary>
    public string? Otp { get; init; }

    public const string DefaultGrantType = "password";

    /// <summary>The request, or the problem that says why it cannot be read.</summary>
    public static async Task<(TokenRequest? Request, ProblemHttpResult? Problem)> ReadAsync(
        HttpRequest request, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            var username = form.TryGetValue("username", out var name) ? name : form["email"];
            return (Create(form["grant_type"], username, form["password"], form["refresh_token"]) with
            {
                MfaToken = form["mfa_token"],
                Otp = form["otp"],
            }, null);
        }

        if (!request.HasJsonContentType())
        {
            return (null, Problems.Create(StatusCodes.Status415UnsupportedMediaType,
                "Send the token request as application/x-www-form-urlencoded or application/json."));
        }

        LoginRequest? body;
        try
        {
            body = await request.ReadFromJsonAsync<LoginRequest>(json, cancellationToken);
        }
        catch (JsonException)
        {
            return (null, Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "The request body is not valid JSON."));
        }

        return (Create(body?.GrantType, body?.Email ?? body?.Username, body?.Password, body?.RefreshToken) with
        {
            MfaToken = body?.MfaToken,
            Otp = body?.Otp,
        }, null);
    }

    private static TokenRequest Create(string? grantType, string? username, string? password, string? refreshToken) =>
        new(string.IsNullOrEmpty(grantType) ? DefaultGrantType : grantType, username, password, refreshToken);
}

/// <summary>One grant type of the token endpoint (RFC 6749 §4); a new grant is one more of these.</summary>
public interface ITokenGrant
{
    /// <summary>The <c>grant_type</c> value this grant answers.</summary>
    string GrantType { get; }

    Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(TokenRequest request, HttpContext context, CancellationToken cancellationToken);
}
