using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Dpop;

/// <summary>The key of a token request's valid proof, for the session and tokens it opens or rotates.</summary>
public sealed record DpopProofFeature(string Thumbprint);

/// <summary>
/// The proof of a token request (RFC 9449 §5), checked before the grant runs: none is fine
/// (bearer tokens, as ever) unless <c>Dpop__Required</c>; a bad one is 400
/// <c>invalid_dpop_proof</c> (or <c>use_dpop_nonce</c> with a fresh <c>DPoP-Nonce</c>).
/// </summary>
internal sealed class DpopTokenRequestFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<DpopOptions>>().Value;
        var headers = http.Request.Headers[DpopProofValidator.HeaderName];
        if (headers.Count == 0 && !options.Required)
        {
            return await next(context);
        }

        // Counted before a proof costs a signature check: the grant's own check then reads this count.
        if (await services.GetRequiredService<BruteForce.BruteForceGuard>().CheckClientAsync(http) is { } tooMany)
        {
            return tooMany;
        }

        var validator = services.GetRequiredService<DpopProofValidator>();
        var result = await validator.ValidateAsync(headers, new DpopRequest(http.Request.Method, DpopUrls.For(http), AccessToken: null));
        if (options.RequireNonce)
        {
            http.Response.Headers[DpopUrls.NonceHeader] = services.GetRequiredService<DpopNonces>().Current();
        }

        if (result.Problem is { } problem)
        {
            DpopRefusals.Record(http, problem);
            return Problems.OAuth(StatusCodes.Status400BadRequest, problem.Error, problem.Description);
        }

        http.Features.Set(new DpopProofFeature(result.Thumbprint!));
        return await next(context);
    }
}

/// <summary>The URL a request's proof must name, and the header that carries nonces.</summary>
public static class DpopUrls
{
    /// <summary>The response header that carries a server nonce.</summary>
    public const string NonceHeader = "DPoP-Nonce";

    /// <summary>This service's URL for the request's path, as a proof's <c>htu</c> must name it; null without a public base URL.</summary>
    public static string? For(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<PublicUrls>().Base is { } root ? root + context.Request.Path.ToUriComponent() : null;
    }
}

/// <summary>The client of a token request, as its session records it.</summary>
public static class DpopClient
{
    /// <summary>Who is signing in, with the key of the request's valid proof (if any) that the session will be bound to.</summary>
    public static ClientInfo From(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var client = ClientInfo.From(context);
        return context.Features.Get<DpopProofFeature>() is { } proof ? client with { DpopKey = proof.Thumbprint } : client;
    }
}

/// <summary>Logs and counts a refused proof (never the proof itself).</summary>
internal static class DpopRefusals
{
    public static void Record(HttpContext context, DpopProblem problem)
    {
        var services = context.RequestServices;
        Log.ProofRefused(services.GetRequiredService<ILogger<DpopProofValidator>>(), problem.Reason, context.Request.Path,
            context.Connection.RemoteIpAddress?.ToString());
        services.GetRequiredService<DpopMetrics>().Refused(problem.Reason);
    }
}
