using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>A freshly signed access token and the facts a response needs about it.</summary>
public sealed record IssuedAccessToken(string Token, string TokenId, DateTime ExpiresAt, int ExpiresInSeconds);

/// <summary>Who a token is for; kept apart from the user entity so issuing stays a pure function.</summary>
/// <param name="TokensValidAfter">The user's revocation cut-off: a new token must be issued after its second.</param>
/// <param name="Amr">How the session was signed in (RFC 8176 <c>amr</c>); a password alone when null.</param>
/// <param name="DpopKey">The RFC 7638 thumbprint of the DPoP key the token is bound to (<c>cnf.jkt</c>), or null for a bearer token.</param>
public sealed record AccessTokenSubject(
    Guid UserId, string Email, IReadOnlyList<string> Roles, Guid SessionId, DateTime? TokensValidAfter = null, bool EmailVerified = false,
    IReadOnlyList<string>? Amr = null, string? DpopKey = null);

/// <summary>Signs access tokens: compact JWS, HS256, <c>typ</c> <c>at+jwt</c>, with a <c>kid</c>.</summary>
/// <remarks>
/// The payload is written straight to UTF-8 JSON and handed to the library, which encodes,
/// adds the header (alg and kid from the signing key, typ from here) and signs; going through
/// a <see cref="SecurityTokenDescriptor"/> would build a claims dictionary only to serialize it.
/// </remarks>
public sealed class AccessTokenIssuer(AccessTokenKeys keys, Microsoft.Extensions.Options.IOptions<JwtOptions> options, TimeProvider time)
{
    private static readonly Dictionary<string, object> TypeHeader = new(StringComparer.Ordinal)
    {
        [JwtHeaderParameterNames.Typ] = AccessTokenKeys.AccessTokenType,
    };

    /// <summary>Compact output; what an HTML page might need escaped is irrelevant inside a signed token.</summary>
    private static readonly JsonWriterOptions PayloadWriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_payloadBuffer;

    private readonly JsonWebTokenHandler _handler = new();
    private readonly JwtOptions _options = options.Value;

    public IssuedAccessToken Issue(AccessTokenSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var now = time.GetUtcNow().UtcDateTime;
        // Whole seconds, so that the exp a client reads is exactly the one we compute here.
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        if (subject.TokensValidAfter is { } cutOff && now <= cutOff)
        {
            // Tokens issued in the second of a revocation are refused; start the next second
            // (well inside the clock skew) so a sign-in right after a revoke works.
            now = cutOff.AddTicks(-(cutOff.Ticks % TimeSpan.TicksPerSecond)).AddSeconds(1);
        }

        var expires = now + keys.AccessTokenLifetime;
        var tokenId = TokenIds.New();
        var payload = WritePayload(subject, tokenId, new DateTimeOffset(now).ToUnixTimeSeconds(), new DateTimeOffset(expires).ToUnixTimeSeconds());
        var token = _handler.CreateToken(payload, keys.SigningCredentials, TypeHeader);
        return new IssuedAccessToken(token, tokenId, expires, (int)keys.AccessTokenLifetime.TotalSeconds);
    }

    private string WritePayload(AccessTokenSubject subject, string tokenId, long issuedAt, long expires)
    {
        var buffer = t_payloadBuffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, PayloadWriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString(JwtRegisteredClaimNames.Iss, _options.Issuer);
            writer.WriteString(JwtRegisteredClaimNames.Aud, _options.Audience);
            writer.WriteString(AccessTokenClaims.Subject, subject.UserId);
            writer.WriteString(AccessTokenClaims.Email, subject.Email);
            writer.WriteBoolean(AccessTokenClaims.EmailVerified, subject.EmailVerified);
            writer.WriteStartArray(AccessTokenClaims.Roles);
            foreach (var role in subject.Roles)
            {
                writer.WriteStringValue(role);
            }

            writer.WriteEndArray();
            writer.WriteStartArray(AccessTokenClaims.AuthenticationMethods);
            foreach (var method in subject.Amr ?? AuthenticationMethods.PasswordOnly)
            {
                writer.WriteStringValue(method);
            }

            writer.WriteEndArray();
            writer.WriteString(AccessTokenClaims.SessionId, subject.SessionId);
            writer.WriteString(AccessTokenClaims.TokenId, tokenId);
            writer.WriteNumber(AccessTokenClaims.IssuedAt, issuedAt);
            writer.WriteNumber(JwtRegisteredClaimNames.Nbf, issuedAt);
            writer.WriteNumber(JwtRegisteredClaimNames.Exp, expires);
            if (subject.DpopKey is { } key)
            {
                writer.WriteStartObject(AccessTokenClaims.Confirmation);
                writer.WriteString(AccessTokenClaims.KeyThumbprint, key);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
