using System.Text.Json.Serialization;
using Cream.Api.Audit;
using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Auth;

/// <summary>RFC 7662 introspection response; absent members are omitted.</summary>
public sealed record IntrospectionResponse(bool Active)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? TokenType { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sub { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Email { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyList<string>? Roles { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Sid { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Jti { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Iss { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Aud { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Iat { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Nbf { get; init; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public long? Exp { get; init; }

    /// <summary>RFC 7800 confirmation of a DPoP-bound token: <c>{"jkt": thumbprint}</c> (RFC 9449 §6.2).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public IReadOnlyDictionary<string, string>? Cnf { get; init; }

    public static readonly IntrospectionResponse Inactive = new(false);
}

/// <summary>Token revocation (RFC 7009) and introspection (RFC 7662).</summary>
public static class TokenEndpoints
{
    private const int MaxTokenLength = AccessTokenValidator.MaximumTokenBytes;

    public static IEndpointRouteBuilder MapTokenEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Tokens").DisableAntiforgery();
        group.MapPost("/revoke", Revoke)
            .WithSummary("RFC 7009: revoke an access token (by jti) or a refresh token (its whole session); 200 even for unknown tokens")
            .AddEndpointFilter<DpopTokenRequestFilter>();
        group.MapPost("/introspect", Introspect).RequireAuthorization(AuthPolicies.Admin)
            .WithSummary("RFC 7662: is this token active, and for whom (admin)");
        return routes;
    }

    /// <remarks>
    /// A DPoP-bound token is revoked only with a proof from its key: a thief holding a copy but
    /// not the key must not be able to end the owner's session (the answer is 200 either way).
    /// </remarks>
    private static async Task<Results<Ok, ProblemHttpResult>> Revoke(
        [FromForm] string? token,
        HttpContext context,
        AccessTokenHandler handler,
        AccessTokenKeys keys,
        CreamDbContext db,
        Revoker revoker,
        AuditTrail audit,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token))
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "token is required.");
        }

        // token_type_hint is only a hint (RFC 7009 §2.1) and is not read: the token's shape decides.
        if (token.Length <= MaxTokenLength && LooksLikeJwt(token))
        {
            var result = await handler.ValidateTokenAsync(token, keys.ValidationParameters);
            if (result.IsValid && result.SecurityToken is JsonWebToken jwt && ProvenBy(context, BoundKey(jwt)))
            {
                var userId = Guid.Parse(jwt.Subject);
                await revoker.RevokeAccessTokenAsync(userId, jwt.Id, jwt.ValidTo, cancellationToken);
                var sessionId = jwt.TryGetPayloadValue<string>(AccessTokenClaims.SessionId, out var sid) ? Guid.Parse(sid) : (Guid?)null;
                await audit.SucceededAsync(AuthEventTypes.TokenRevoked, userId, sessionId, "access_token");
            }
        }
        else if (await FindRefreshTokenAsync(db, token, cancellationToken) is { } found && ProvenBy(context, found.DpopKey)
            && await revoker.RevokeSessionAsync(found.UserId, found.SessionId, "rfc7009_revoke", cancellationToken))
        {
            await audit.SucceededAsync(AuthEventTypes.TokenRevoked, found.UserId, found.SessionId, "refresh_token");
        }

        return TypedResults.Ok();
    }

    private static async Task<Ok<IntrospectionResponse>> Introspect(
        [FromForm] string? token,
        AccessTokenHandler handler,
        AccessTokenKeys keys,
        CreamDbContext db,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > MaxTokenLength)
        {
            return TypedResults.Ok(IntrospectionResponse.Inactive);
        }

        if (LooksLikeJwt(token))
        {
            var result = await handler.ValidateTokenAsync(token, keys.ValidationParameters);
            if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
            {
                return TypedResults.Ok(IntrospectionResponse.Inactive);
            }

            return TypedResults.Ok(new IntrospectionResponse(true)
            {
                TokenType = "access_token",
                Sub = jwt.Subject,
                Email = jwt.TryGetPayloadValue<string>(AccessTokenClaims.Email, out var email) ? email : null,
                Roles = jwt.TryGetPayloadValue<string[]>(AccessTokenClaims.Roles, out var roles) ? roles : [],
                Sid = jwt.TryGetPayloadValue<string>(AccessTokenClaims.SessionId, out var sid) ? sid : null,
                Jti = jwt.Id,
                Iss = jwt.Issuer,
                Aud = jwt.Audiences.FirstOrDefault(),
                Iat = new DateTimeOffset(jwt.IssuedAt).ToUnixTimeSeconds(),
                Nbf = new DateTimeOffset(jwt.ValidFrom).ToUnixTimeSeconds(),
                Exp = new DateTimeOffset(jwt.ValidTo).ToUnixTimeSeconds(),
                Cnf = BoundKey(jwt) is { } jkt ? new Dictionary<string, string> { [AccessTokenClaims.KeyThumbprint] = jkt } : null,
            });
        }

        var now = time.GetUtcNow().UtcDateTime;
        var found = await FindRefreshTokenAsync(db, token, cancellationToken);
        return found is { Consumed: false, SessionValid: true, UserActive: true } && found.ExpiresAt > now
            ? TypedResults.Ok(new IntrospectionResponse(true)
            {
                TokenType = "refresh_token",
                Sub = found.UserId.ToString(),
                Sid = found.SessionId.ToString(),
                Exp = new DateTimeOffset(found.ExpiresAt).ToUnixTimeSeconds(),
            })
            : TypedResults.Ok(IntrospectionResponse.Inactive);
    }

    private sealed record FoundRefreshToken(Guid UserId, Guid SessionId, DateTime ExpiresAt, bool Consumed, bool SessionValid, bool UserActive, string? DpopKey);

    /// <summary>True for an unbound token, or when the request's proof was signed by the key the token is bound to.</summary>
    private static bool ProvenBy(HttpContext context, string? boundKey) =>
        boundKey is null || string.Equals(context.Features.Get<DpopProofFeature>()?.Thumbprint, boundKey, StringComparison.Ordinal);

    private static Task<FoundRefreshToken?> FindRefreshTokenAsync(CreamDbContext db, string token, CancellationToken cancellationToken)
    {
        if (token.Length > 256)
        {
            return Task.FromResult<FoundRefreshToken?>(null);
        }

        var hash = RefreshTokenCrypto.Hash(token);
        return (from refresh in db.RefreshTokens.AsNoTracking()
                join session in db.Sessions on refresh.SessionId equals session.Id
                join user in db.Users on session.UserId equals user.Id
                where refresh.TokenHash == hash
                select new FoundRefreshToken(user.Id, session.Id, refresh.ExpiresAt, refresh.ConsumedAt != null, session.IsValid, user.IsActive, session.DpopKey))
            .FirstOrDefaultAsync(cancellationToken);
    }

    private static string? BoundKey(JsonWebToken jwt) =>
        jwt.TryGetPayloadValue<System.Text.Json.JsonElement>(AccessTokenClaims.Confirmation, out var cnf)
        && cnf.ValueKind == System.Text.Json.JsonValueKind.Object
        && cnf.TryGetProperty(AccessTokenClaims.KeyThumbprint, out var jkt) && jkt.ValueKind == System.Text.Json.JsonValueKind.String
            ? jkt.GetString()
            : null;

    private static bool LooksLikeJwt(string token) => token.Count(c => c == '.') == 2;
}
