using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Accounts;

/// <summary>
/// The pages that account emails link to, <c>/account/verify-email</c> and <c>/account/reset-password</c>,
/// with their one script and one style sheet: the files in <c>Accounts/Pages</c>, compiled into the
/// assembly, so <c>dotnet run</c> from any folder and a published build serve the same bytes (ADR 18).
/// </summary>
internal static class AccountPages
{
    /// <summary>
    /// Only the pages' own files: no inline script or style, nothing from another origin, no form
    /// submission (the script sends), no base element, no framing.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    private const string Html = "text/html; charset=utf-8";

    // Each file by its route under /account. The pages name the others relatively (account.js), and
    // the script the API (../api/auth/...), so a service under a path base works unchanged.
    private static readonly (string Route, string ContentType)[] Files =
    [
        ("verify-email", Html),
        ("reset-password", Html),
        ("account.js", "text/javascript; charset=utf-8"),
        ("account.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/account").ExcludeFromDescription();
        foreach (var (route, contentType) in Files)
        {
            var content = Load(contentType == Html ? route + ".html" : route);
            group.MapGet(route, (HttpContext context) => Serve(context, content, contentType));
        }

        return routes;
    }

    private static Results<FileContentHttpResult, NotFound> Serve(HttpContext context, byte[] content, string contentType)
    {
        // Routing also matches "/account/verify-email/", where the relative names would miss.
        if (context.Request.Path.Value?.EndsWith('/') != false)
        {
            return TypedResults.NotFound();
        }

        // UseHttpHardening keeps this instead of the API's JSON-only policy; the rest of its headers
        // (no-store, no-referrer: the first load's URL holds the token) apply as to every answer.
        context.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        return TypedResults.Bytes(content, contentType);
    }

    private static byte[] Load(string file)
    {
        var name = $"{typeof(AccountPages).Namespace}.Pages.{file}";
        using var stream = typeof(AccountPages).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from the build.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
