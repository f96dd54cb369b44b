using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Cream.Benchmarks;

/// <summary>
/// jose-jwt and Jwt.Net check the signature (Jwt.Net also exp and nbf) but not <c>typ</c>,
/// <c>iss</c> or <c>aud</c>: these checks, over the dictionaries the libraries decode, make
/// their rows do the same work as the others.
/// </summary>
public static class PeerClaimChecks
{
    public static bool TypeIsAccessToken(IDictionary<string, object> header) =>
        header.TryGetValue("typ", out var typ) && Text(typ) is { } text
        && (string.Equals(text, "at+jwt", StringComparison.OrdinalIgnoreCase)
            || string.Equals(text, "application/at+jwt", StringComparison.OrdinalIgnoreCase));

    /// <param name="checkLifetime">False when the library has checked <c>exp</c> and <c>nbf</c> itself.</param>
    public static bool ClaimsAreOurs(IDictionary<string, object> payload, string issuer, string audience, long now, long skewSeconds, bool checkLifetime)
    {
        if (!payload.TryGetValue("iss", out var iss) || Text(iss) != issuer
            || !payload.TryGetValue("aud", out var aud) || !HasAudience(aud, audience))
        {
            return false;
        }

        if (!checkLifetime)
        {
            return true;
        }

        if (!payload.TryGetValue("exp", out var exp) || Seconds(exp) is not { } expires || expires < now - skewSeconds)
        {
            return false;
        }

        return !payload.TryGetValue("nbf", out var nbf) || (Seconds(nbf) is { } notBefore && notBefore <= now + skewSeconds);
    }

    private static string? Text(object? value) => value switch
    {
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
        _ => null,
    };

    private static bool HasAudience(object? value, string audience)
    {
        if (Text(value) is { } single)
        {
            return single == audience;
        }

        if (value is JsonElement { ValueKind: JsonValueKind.Array } array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && item.GetString() == audience)
                {
                    return true;
                }
            }

            return false;
        }

        if (value is IEnumerable items)
        {
            foreach (var item in items)
            {
                if (Text(item) is { } text && text == audience)
                {
                    return true;
                }

                // Newtonsoft's JValue prints as its value.
                if (item is not null and not string && item.ToString() == audience)
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static long? Seconds(object? value) => value switch
    {
        long number => number,
        int number => number,
        double number => (long)Math.Floor(number),
        decimal number => (long)Math.Floor(number),
        JsonElement { ValueKind: JsonValueKind.Number } element => element.TryGetInt64(out var number) ? number : (long)Math.Floor(element.GetDouble()),
        IConvertible convertible and not string => convertible.ToInt64(CultureInfo.InvariantCulture),
        _ => null,
    };
}
