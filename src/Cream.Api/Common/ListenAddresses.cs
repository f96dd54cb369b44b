using Microsoft.Extensions.Options;

namespace Cream.Api.Common;

/// <summary>
/// Checks <c>ASPNETCORE_URLS</c> (or <c>--urls</c>) before the server starts, so that an
/// unreadable address stops start-up with one line instead of a host crash log.
/// </summary>
public static class ListenAddresses
{
    public static void Check(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var urls = configuration[WebHostDefaults.ServerUrlsKey];
        if (string.IsNullOrWhiteSpace(urls))
        {
            return;
        }

        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!IsReadable(url))
            {
                throw new OptionsValidationException(WebHostDefaults.ServerUrlsKey, typeof(string),
                    [$"ASPNETCORE_URLS: '{url}' is not a listen address; use URLs such as http://localhost:5080 or http://0.0.0.0:8080, separated by ';'."]);
            }
        }
    }

    private static bool IsReadable(string url)
    {
        try
        {
            var address = BindingAddress.Parse(url);
            return address.Scheme is "http" or "https" && (address.IsUnixPipe || address.Port is >= 0 and <= 65535);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
