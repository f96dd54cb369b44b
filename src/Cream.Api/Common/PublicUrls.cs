using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Cream.Api.Common;

/// <summary>
/// The absolute URLs this service gives out (discovery, email links), from configuration and
/// never from a request: a request's <c>Host</c> is whatever its sender wrote. In Development,
/// without a configured base, the first address the server listens on stands in for it.
/// </summary>
public sealed class PublicUrls
{
    /// <summary>The environment variable that sets the base.</summary>
    public const string BaseSetting = "Accounts__PublicBaseUrl";

    /// <summary>Why a URL cannot be given out without the base.</summary>
    public const string NotConfigured = BaseSetting + " is not configured: set it to this service's public URL, such as https://cream.example.com.";

    private const string DefaultLinkPath = "/account";

    private readonly IServer? _developmentServer;

    /// <param name="configuredBase">The base URL as configured, or null.</param>
    /// <param name="configuredLinkBase">Where email links point, or null for the base's <c>/account</c>.</param>
    /// <param name="environment">In Development an unconfigured base is the first listen address.</param>
    /// <param name="server">The server whose listen addresses stand in for the base in Development.</param>
    public PublicUrls(string? configuredBase, string? configuredLinkBase, IHostEnvironment environment, IServer server)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ConfiguredBase = string.IsNullOrWhiteSpace(configuredBase) ? null : Normalize(configuredBase);
        ConfiguredLinkBase = string.IsNullOrWhiteSpace(configuredLinkBase) ? null : Normalize(configuredLinkBase);
        _developmentServer = ConfiguredBase is null && environment.IsDevelopment() ? server : null;
    }

    /// <summary>The base an operator configured (no trailing slash), or null.</summary>
    public string? ConfiguredBase { get; }

    /// <summary>The link base an operator configured (no trailing slash), or null.</summary>
    public string? ConfiguredLinkBase { get; }

    /// <summary>
    /// The base URL, without a trailing slash; null outside Development when none is configured
    /// (and in Development before the server listens).
    /// </summary>
    public string? Base => ConfiguredBase
        ?? (_developmentServer?.Features.Get<IServerAddressesFeature>()?.Addresses is { } addresses ? FromListenAddresses(addresses) : null);

    /// <summary>Where email links point: the configured link base, else the base's <c>/account</c>; null without either.</summary>
    public string? LinkBase => ConfiguredLinkBase ?? (Base is { } root ? root + DefaultLinkPath : null);

    /// <summary>An absolute http or https URL, with or without a path, without query, fragment or user info.</summary>
    public static bool IsBaseUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && uri.UserInfo.Length == 0
        && !value.Contains('?', StringComparison.Ordinal)
        && !value.Contains('#', StringComparison.Ordinal);

    /// <summary>The URL as <see cref="Uri"/> spells it, without a trailing slash, so a path can be appended.</summary>
    public static string Normalize(string url) =>
        new Uri(url.Trim(), UriKind.Absolute).GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped).TrimEnd('/');

    /// <summary>
    /// The first http or https address with a host, as a base URL; a wildcard host (<c>+</c>,
    /// <c>*</c>, <c>0.0.0.0</c>, <c>[::]</c>) is this machine, so <c>localhost</c>.
    /// </summary>
    public static string? FromListenAddresses(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        foreach (var text in addresses)
        {
            BindingAddress address;
            try
            {
                address = BindingAddress.Parse(text);
            }
            catch (FormatException)
            {
                continue;
            }

            if (address.IsUnixPipe || address.IsNamedPipe || address.Scheme is not ("http" or "https") || address.Host.Length == 0)
            {
                continue;
            }

            var host = address.Host is "+" or "*" or "0.0.0.0" or "[::]" or "::" ? "localhost" : address.Host;
            var candidate = $"{address.Scheme}://{host}:{address.Port}{address.PathBase}";
            if (IsBaseUrl(candidate))
            {
                return Normalize(candidate);
            }
        }

        return null;
    }
}
