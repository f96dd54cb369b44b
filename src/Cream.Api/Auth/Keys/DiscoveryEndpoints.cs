using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Keys;

public sealed record JsonWebKeySetResponse(IReadOnlyList<PublicJwk> Keys);

/// <summary>
/// RFC 8414 authorization server metadata, also served at the OpenID discovery path for the
/// clients that look there. It states only what is true: no authorization endpoint, so no
/// response types; no ID tokens, so no ID token algorithms (docs/decisions/0011-start-up-settings-and-discovery.md).
/// </summary>
public sealed record DiscoveryDocument(
    string Issuer,
    string JwksUri,
    string TokenEndpoint,
    string RevocationEndpoint,
    string IntrospectionEndpoint,
    string ServiceDocumentation,
    IReadOnlyList<string> GrantTypesSupported,
    IReadOnlyList<string> ResponseTypesSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    IReadOnlyList<string> RevocationEndpointAuthMethodsSupported,
    IReadOnlyList<string> AccessTokenSigningAlgValuesSupported,
    IReadOnlyList<string> SubjectTypesSupported,
    IReadOnlyList<string> DpopSigningAlgValuesSupported);

/// <summary>Public keys and metadata, so standard clients and resource servers can work with Cream.</summary>
public static class DiscoveryEndpoints
{
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/.well-known").WithTags("Discovery");
        group.MapGet("/jwks.json", Jwks).WithSummary("Public verification keys (RFC 7517); empty with HS256, whose key is secret");
        group.MapGet("/openid-configuration", Configuration).WithSummary("Endpoints, grant types and signing algorithms");
        group.MapGet("/oauth-authorization-server", Configuration).WithSummary("The same metadata at the RFC 8414 path");
        return routes;
    }

    private static Ok<JsonWebKeySetResponse> Jwks(KeyRing ring, HttpResponse response, IOptions<RevocationOptions> revocation)
    {
        // A rotated key is published two resyncs before it signs: a verifier that caches the
        // set for one resync at most has it in time.
        response.Headers.CacheControl = $"public, max-age={revocation.Value.ResyncSeconds}";
        return TypedResults.Ok(new JsonWebKeySetResponse(ring.PublicKeys));
    }

    /// <summary>
    /// Every URL is built on the configured base (<see cref="PublicUrls"/>), never on the request's
    /// <c>Host</c>, which its sender chooses and a shared cache would hand on to others.
    /// </summary>
    private static Results<Ok<DiscoveryDocument>, ProblemHttpResult> Configuration(PublicUrls urls, KeyRing ring, IOptions<JwtOptions> options)
    {
        if (urls.Base is not { } root)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, PublicUrls.NotConfigured);
        }

        return TypedResults.Ok(new DiscoveryDocument(
            Issuer: options.Value.Issuer,
            JwksUri: $"{root}/.well-known/jwks.json",
            TokenEndpoint: $"{root}/api/auth/login",
            RevocationEndpoint: $"{root}/api/auth/revoke",
            IntrospectionEndpoint: $"{root}/api/auth/introspect",
            ServiceDocumentation: $"{root}/scalar",
            GrantTypesSupported: ["password", "refresh_token", Grants.MfaOtpGrant.Type],
            ResponseTypesSupported: [],
            TokenEndpointAuthMethodsSupported: ["none"],
            RevocationEndpointAuthMethodsSupported: ["none"],
            AccessTokenSigningAlgValuesSupported: [ring.Algorithm],
            SubjectTypesSupported: ["public"],
            DpopSigningAlgValuesSupported: Dpop.DpopProofKey.Algorithms));
    }
}
