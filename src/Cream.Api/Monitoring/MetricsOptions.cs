using System.Net;

namespace Cream.Api.Monitoring;

/// <summary>The <c>Metrics</c> configuration section.</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>
    /// Comma-separated networks (CIDR) whose clients may scrape <c>/metrics</c> without a token;
    /// anyone else needs an admin token. Loopback by default. Behind a reverse proxy every
    /// client has the proxy's address, so list only networks the proxy does not front.
    /// </summary>
    public string AllowedNetworks { get; set; } = "127.0.0.0/8,::1/128";

    /// <summary>The parsed <see cref="AllowedNetworks"/>; null when one of them is not a network.</summary>
    public IReadOnlyList<IPNetwork>? ParseNetworks()
    {
        var networks = new List<IPNetwork>();
        foreach (var part in AllowedNetworks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IPNetwork.TryParse(part, out var network))
            {
                return null;
            }

            networks.Add(network);
        }

        return networks;
    }
}
