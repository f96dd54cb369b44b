using System.Security.Claims;
using System.Text.Json;
using Cream.Api.Auth.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// The resource side of RFC 9449 (§7), run by the authentication handler on every request
/// whose token validated, after the validated-token cache: the cache remembers tokens, never
/// proofs, so no request skips its own. A bound token needs the <c>DPoP</c> scheme and a proof
/// from the key its <c>cnf</c> names; an unbound token must not come as <c>DPoP</c>.
/// </summary>
internal static class DpopResourceCheck
{
    public const string Scheme = "DPoP";

    /// <summary>The <c>cnf</c> claim (RFC 7800) and its RFC 9449 member.</summary>
    public const string ConfirmationClaim = "cnf";

    /// <summary>The challenge's <c>algs</c> parameter: the algorithms a proof may use.</summary>
    public const string AlgorithmsParameter = $"algs=\"{DpopProofKey.AlgorithmList}\"";

    /// <summary>The token of an <c>Authorization: DPoP</c> header, or null for any other scheme.</summary>
    public static string? DpopToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { Length: > 5 } value
            || !value.StartsWith("DPoP ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value.AsSpan(5).Trim();
        return token.IsEmpty ? null : token.ToString();
    }

    /// <summary>Refuses the request (<see cref="DpopProofException"/>) unless its scheme and proof fit its token.</summary>
    public static async Task CheckAsync(TokenValidatedContext context)
    {
        var http = context.HttpContext;
        var boundKey = BoundKey(context.Principal);
        var token = DpopToken(http.Request);
        if (token is null)
        {
            if (boundKey is not null)
            {
                Refuse(context, DpopProblem.Invalid("bound_token_as_bearer", "This token is bound to a DPoP key: send it with the DPoP scheme and a proof."));
            }

            return;
        }

        if (boundKey is null)
        {
            Refuse(context, DpopProblem.Invalid("unbound_token_as_dpop", "This token is not bound to a DPoP key: send it with the Bearer scheme."));
            return;
        }

        var services = http.RequestServices;
        if (services.GetRequiredService<IOptions<DpopOptions>>().Value.RequireNonce)
        {
            http.Response.Headers[DpopUrls.NonceHeader] = services.GetRequiredService<DpopNonces>().Current();
        }

        var result = await services.GetRequiredService<DpopProofValidator>()
            .ValidateAsync(http.Request.Headers[DpopProofValidator.HeaderName], new DpopRequest(http.Request.Method, DpopUrls.For(http), token, boundKey));
        if (result.Problem is { } problem)
        {
            Refuse(context, problem);
        }
        else if (!string.Equals(result.Thumbprint, boundKey, StringComparison.Ordinal))
        {
            Refuse(context, DpopProblem.Invalid("key_mismatch", "The DPoP proof is signed by another key than the one this token is bound to."));
        }
    }

    /// <summary>The RFC 9449 challenge for a request that came with the DPoP scheme, or whose proof or binding was refused.</summary>
    public static string? Challenge(HttpRequest request, Exception? failure) => failure switch
    {
        DpopProofException refused =>
            $"{Scheme} error=\"{refused.Problem.Error}\", error_description=\"{refused.Problem.Description}\", {AlgorithmsParameter}",
        not null when DpopToken(request) is not null =>
            $"{Scheme} error=\"invalid_token\", error_description=\"{TokenFailure.From(failure).Description}\", {AlgorithmsParameter}",
        _ => null,
    };

    /// <summary>The <c>jkt</c> of the token's <c>cnf</c> claim, or null for an unbound token.</summary>
    public static string? BoundKey(ClaimsPrincipal? principal)
    {
        if (principal?.FindFirst(ConfirmationClaim)?.Value is not { } confirmation)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(confirmation);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("jkt", out var jkt) && jkt.ValueKind == JsonValueKind.String
                    ? jkt.GetString()
                    : "";
        }
        catch (JsonException)
        {
            return ""; // a cnf we cannot read binds the token to no key at all: no proof can match it
        }
    }

    private static void Refuse(TokenValidatedContext context, DpopProblem problem)
    {
        DpopRefusals.Record(context.HttpContext, problem);
        context.Fail(new DpopProofException(problem));
    }
}
